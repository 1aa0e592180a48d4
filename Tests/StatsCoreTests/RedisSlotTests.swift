import Testing

@testable import Redis

@Suite("Redis Cluster key slots")
struct RedisSlotTests {
    @Test("CRC16 is Redis's XMODEM variant: its published check value")
    func crc16Vector() {
        #expect(RedisSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(RedisSlot.crc16([UInt8]()) == 0)
        #expect(RedisSlot.of("123456789") == 0x31C3 % 16384)
        #expect(RedisSlot.of("123456789") == 12739)
        #expect(RedisSlot.count == 16384)
    }

    @Test("keys without a usable hash tag hash whole")
    func wholeKeys() {
        #expect(RedisSlot.of("foo") == 12182)
        #expect(RedisSlot.of("") == 0)
        #expect(RedisSlot.of("foo{}{bar}") == Int(RedisSlot.crc16(Array("foo{}{bar}".utf8))) % 16384)
        #expect(RedisSlot.of("{}") == Int(RedisSlot.crc16(Array("{}".utf8))) % 16384)
        #expect(RedisSlot.of("foo{bar") == Int(RedisSlot.crc16(Array("foo{bar".utf8))) % 16384)
        #expect(RedisSlot.of("foo}bar{") == Int(RedisSlot.crc16(Array("foo}bar{".utf8))) % 16384)
    }

    @Test("the first {...} with content is all that is hashed")
    func hashTags() {
        #expect(RedisSlot.of("{user1000}.following") == RedisSlot.of("{user1000}.followers"))
        #expect(RedisSlot.of("{user1000}.following") == RedisSlot.of("user1000"))
        #expect(RedisSlot.of("foo{{bar}}zap") == RedisSlot.of("{bar"))
        #expect(RedisSlot.of("foo{{bar}}zap") == Int(RedisSlot.crc16(Array("{bar".utf8))) % 16384)
        #expect(RedisSlot.of("foo{bar}{zap}") == RedisSlot.of("bar"))
        #expect(RedisSlot.of("}{bar}") == RedisSlot.of("bar"))
        #expect(RedisSlot.of("{TransactionQueue}:inflight:w1") == RedisSlot.of("TransactionQueue"))
        #expect(RedisSlot.of("agg:2026-01-15:deposits:USD:{TransactionQueue}:hourly") == RedisSlot.of("TransactionQueue"))
    }

    @Test("bytes, strings and slices of either give the same slot, contiguous or not")
    func inputShapes() {
        for key in ["foo", "{user1000}.following", "foo{{bar}}zap", "foo{}{bar}", "clé{ключ}€", "x{}", "{"] {
            let bytes = Array(key.utf8)
            let slot = RedisSlot.of(key)
            #expect(RedisSlot.of(bytes) == slot, "\(key)")
            #expect(RedisSlot.of(key.utf8) == slot, "\(key)")
            #expect(RedisSlot.of(ArraySlice([0x41] + bytes).dropFirst()) == slot, "\(key)")
            // A lazy collection has no contiguous storage: the generic path must agree.
            #expect(RedisSlot.of(bytes.lazy.map { $0 }) == slot, "\(key)")
            #expect((0..<RedisSlot.count).contains(slot))
        }
    }
}
