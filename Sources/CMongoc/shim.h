#include <mongoc/mongoc.h>
#include <bson/bson.h>

/* bson_t and bson_iter_t are over-aligned, so Swift sees them as opaque:
   these report C's real size and alignment for raw allocations. */
static inline size_t txstats_sizeof_bson_t(void) { return sizeof(bson_t); }
static inline size_t txstats_alignof_bson_t(void) { return _Alignof(bson_t); }
static inline size_t txstats_sizeof_bson_iter_t(void) { return sizeof(bson_iter_t); }
static inline size_t txstats_alignof_bson_iter_t(void) { return _Alignof(bson_iter_t); }
