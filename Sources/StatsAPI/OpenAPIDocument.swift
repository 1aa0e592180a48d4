import StatsCore
/// The OpenAPI 3 description served at `/openapi.json`; the tests check it against the routes.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.0.3",
      "info": {"title": "txstats", "version": "1.0.0",
               "description": "Exact payment statistics: recent days from Redis, older days from MongoDB. Amounts are JSON numbers printed exactly from integer minor units."},
      "paths": {
        "/stats": {
          "get": {
            "summary": "Amounts of successful transactions per day, type and payment method",
            "parameters": [
              {"name": "from_date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}, "description": "First day, YYYY-MM-DD, inclusive"},
              {"name": "to_date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}, "description": "Last day, YYYY-MM-DD, inclusive"}
            ],
            "responses": {
              "200": {"description": "Days with data; days without are left out",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"},
                                  "example": {"data": {"2026-01-01": {"deposits": {"paypal": 52763.85, "visa": 48992.1}, "withdrawals": {"crypto": 75816.03}}}}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "503": {"$ref": "#/components/responses/Unavailable"}
            }
          }
        },
        "/healthz": {
          "get": {"summary": "The process is alive",
                  "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}
        },
        "/readyz": {
          "get": {"summary": "Redis and MongoDB both answer",
                  "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
                                "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/openapi.json": {
          "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {}}}}}
        },
        "/metrics": {
          "get": {"summary": "Prometheus metrics of this api", "responses": {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {}}}}}
        },
        "/": {
          "get": {"summary": "The dashboard: one self-contained HTML page", "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}
        },
        "/api/v1/stats/hourly": {
          "get": {"summary": "The hours of one day (23 or 25 on a DST change), each with its local start and status blocks",
                  "parameters": [{"$ref": "#/components/parameters/date"}, {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Hourly blocks", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hourly"}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/daily": {
          "get": {"summary": "One day's summary",
                  "parameters": [{"$ref": "#/components/parameters/date"}, {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Blocks of the day", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DayBlocks"}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/weekly": {
          "get": {"summary": "Day by day plus the total, for startDate..endDate or an ISO week",
                  "parameters": [{"$ref": "#/components/parameters/startDateOptional"}, {"$ref": "#/components/parameters/endDateOptional"},
                                 {"name": "week", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"}, "description": "ISO week YYYY-Www, Monday to Sunday; instead of startDate/endDate"},
                                 {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Daily blocks and total", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Daily"}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/monthly": {
          "get": {"summary": "A calendar month, day by day plus the total",
                  "parameters": [{"name": "month", "in": "query", "required": true, "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}},
                                 {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Daily blocks and total", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Daily"}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/range": {
          "get": {"summary": "One summary over startDate..endDate",
                  "parameters": [{"$ref": "#/components/parameters/startDate"}, {"$ref": "#/components/parameters/endDate"},
                                 {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Blocks of the range", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TypeBlocks"}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/providers": {
          "get": {"summary": "Every payment method seen, with its blocks over the last N days",
                  "parameters": [{"$ref": "#/components/parameters/days"}, {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Providers", "content": {"application/json": {"schema": {"type": "object", "properties": {"period": {"type": "string"}, "startDate": {"type": "string"}, "endDate": {"type": "string"}, "providers": {"type": "array", "items": {"$ref": "#/components/schemas/TypeBlocks"}}}}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/provider/{id}": {
          "get": {"summary": "One payment method's status breakdown over the last N days",
                  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"$ref": "#/components/parameters/days"},
                                 {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "Blocks", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TypeBlocks"}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"},
                                "404": {"description": "Unknown payment method", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                                "503": {"$ref": "#/components/responses/Unavailable"}}}
        },
        "/api/v1/stats/compare": {
          "get": {"summary": "Current period against the previous one of the same length: changes per type, status and method, rates",
                  "parameters": [{"name": "period", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]+d$", "default": "30d"}},
                                 {"$ref": "#/components/parameters/startDateOptional"}, {"$ref": "#/components/parameters/endDateOptional"},
                                 {"$ref": "#/components/parameters/type"}, {"$ref": "#/components/parameters/method"}, {"$ref": "#/components/parameters/status"}],
                  "responses": {"200": {"description": "current, previous, change (percentages null when the previous value is zero)", "content": {"application/json": {"schema": {"type": "object", "properties": {"period": {"type": "string"}, "days": {"type": "integer"}, "current": {"type": "object"}, "previous": {"type": "object"}, "change": {"type": "object"}}}}}},
                                "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"$ref": "#/components/responses/Unavailable"}}}
        }
      },
      "components": {
        "parameters": {
          "date": {"name": "date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}},
          "startDate": {"name": "startDate", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}},
          "endDate": {"name": "endDate", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}},
          "startDateOptional": {"name": "startDate", "in": "query", "schema": {"type": "string", "format": "date"}},
          "endDateOptional": {"name": "endDate", "in": "query", "schema": {"type": "string", "format": "date"}},
          "days": {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 7}},
          "type": {"name": "type", "in": "query", "schema": {"type": "string", "enum": ["deposit", "withdrawal"]}},
          "method": {"name": "method", "in": "query", "schema": {"type": "string"}},
          "status": {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["success", "failed", "pending"]}}
        },
        "schemas": {
          "Tally": {"type": "object", "required": ["count", "amount"], "properties": {"count": {"type": "integer"}, "amount": {"type": "number"}}},
          "Block": {"type": "object", "properties": {"success": {"$ref": "#/components/schemas/Tally"}, "failed": {"$ref": "#/components/schemas/Tally"}, "pending": {"$ref": "#/components/schemas/Tally"}, "total": {"$ref": "#/components/schemas/Tally"}}},
          "TypeBlocks": {"type": "object", "description": "transactions = deposits", "properties": {"transactions": {"$ref": "#/components/schemas/Block"}, "withdrawals": {"$ref": "#/components/schemas/Block"}}},
          "DayBlocks": {"allOf": [{"$ref": "#/components/schemas/TypeBlocks"}, {"type": "object", "properties": {"date": {"type": "string", "format": "date"}}}]},
          "Daily": {"type": "object", "properties": {"startDate": {"type": "string"}, "endDate": {"type": "string"}, "daily": {"type": "array", "items": {"$ref": "#/components/schemas/DayBlocks"}}, "total": {"$ref": "#/components/schemas/TypeBlocks"}}},
          "Hourly": {"type": "object", "properties": {"date": {"type": "string"}, "timezone": {"type": "string"}, "hours": {"type": "integer"}, "hourly": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/TypeBlocks"}, {"type": "object", "properties": {"hour": {"type": "integer"}, "start": {"type": "string"}}}]}}}},
          "Amounts": {"type": "object", "additionalProperties": {"type": "number"}, "description": "payment method -> amount"},
          "Day": {"type": "object", "properties": {"deposits": {"$ref": "#/components/schemas/Amounts"}, "withdrawals": {"$ref": "#/components/schemas/Amounts"}}},
          "Stats": {"type": "object", "required": ["data"], "properties": {"data": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Day"}}}},
          "Status": {"type": "object", "properties": {"status": {"type": "string"}}},
          "Error": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
        },
        "responses": {
          "BadRequest": {"description": "A parameter is missing or invalid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Unavailable": {"description": "Redis or MongoDB cannot be reached", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    }
    """#
}
