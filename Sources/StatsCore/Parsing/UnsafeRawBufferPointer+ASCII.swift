extension UnsafeRawBufferPointer {
    /// The bytes without leading and trailing ASCII spaces and tabs.
    @inlinable public var trimmedASCIISpaces: UnsafeRawBufferPointer {
        var lo = 0
        var hi = count
        while lo < hi, self[lo] == 0x20 || self[lo] == 0x09 { lo += 1 }
        while hi > lo, self[hi - 1] == 0x20 || self[hi - 1] == 0x09 { hi -= 1 }
        return UnsafeRawBufferPointer(rebasing: self[lo..<hi])
    }

    @inlinable public func equalsASCIILowercased(_ lower: StaticString) -> Bool {
        guard count == lower.utf8CodeUnitCount else { return false }
        let p = lower.utf8Start
        for i in 0..<count where self[i] | 0x20 != p[i] | 0x20 { return false }
        return true
    }
}
