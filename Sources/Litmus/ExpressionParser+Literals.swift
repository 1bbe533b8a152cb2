import MemoryModel

/// herd's parenthesised literals: translation-table descriptors
/// `(oa:PA(x), valid:1, attrs:(Normal))` and PAR_EL1 values
/// `parel1_t:(oa:PA(x))` / `parel1_t:(f:1)`.
extension ExpressionParser {
    /// The value of an `oa:` field: `PA(x)`, `phy_x`, or `x` meaning the
    /// physical page x maps to initially.
    mutating func outputAddress() throws(LitmusError) -> Value {
        let v = try value()
        switch v {
        case .physicalAddress: return v
        case .virtualAddress(let n): return .physicalAddress(n)
        default: throw stream.error("oa must be a physical address, not '\(v)'")
        }
    }

    /// herd's PAR_EL1 literal after `parel1_t:`: `(oa:PA(x))`, `(f:1)`,
    /// `(oa:PA(x), f:0)`. F set means a fault, whatever the output address.
    mutating func physicalAddressRegister() throws(LitmusError) -> Value {
        try stream.expect("(")
        var output: Value? = nil
        var fault = false
        repeat {
            let field = try stream.word("PAR_EL1 field").lowercased()
            try stream.expect(":")
            switch field {
            case "oa":
                output = try outputAddress()
            case "f":
                let bit = try stream.word("0 or 1")
                guard bit == "0" || bit == "1" else { throw stream.error("PAR_EL1 field f takes 0 or 1") }
                fault = bit == "1"
            default: throw stream.error("unknown PAR_EL1 field '\(field)' (known: oa, f)")
            }
        } while stream.accept(",")
        try stream.expect(")")
        if fault { return .physicalAddressRegister(output: nil) }
        guard let output else { throw stream.error("parel1_t needs oa: unless f:1") }
        return .physicalAddressRegister(output: output)
    }

    /// The inside of `( ... )` after the opening parenthesis.
    mutating func descriptor() throws(LitmusError) -> DescriptorLiteral {
        var d = DescriptorLiteral()
        if stream.accept(")") { return d }
        repeat {
            let field = try stream.word("descriptor field").lowercased()
            try stream.expect(":")
            if field == "oa" {
                d.outputAddress = try outputAddress()
                continue
            }
            if field == "attrs" {
                d.attributes = try attributeNames()
                continue
            }
            let bitText = try stream.word("0 or 1")
            guard bitText == "0" || bitText == "1" else { throw stream.error("descriptor field \(field) takes 0 or 1") }
            let bit = bitText == "1"
            switch field {
            case "valid": d.valid = bit
            case "af": d.accessFlag = bit
            case "db": d.dirty = bit
            case "dbm": d.dirtyBitModifier = bit
            case "el0": d.el0 = bit
            case "x": d.executable = bit
            default: throw stream.error("unknown descriptor field '\(field)'")
            }
        } while stream.accept(",")
        try stream.expect(")")
        return d
    }

    /// herd's `attrs:(Device-GRE)`, `attrs:(Normal, iNC, oNC)`: a set of names.
    mutating func attributeNames() throws(LitmusError) -> [String] {
        try stream.expect("(")
        var names: Set<String> = []
        repeat {
            var name = try stream.word("memory attribute")
            while stream.accept("-") { name += "-" + (try stream.word("memory attribute")) }
            names.insert(name)
        } while stream.accept(",")
        try stream.expect(")")
        return names.sorted()
    }
}
