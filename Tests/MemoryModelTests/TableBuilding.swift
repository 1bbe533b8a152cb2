@testable import MemoryModel

/// Builds 4-level translation tables (4 KiB granule) in a test's memory.
enum TableBuilding {
    /// Writes `leaf` as the level-3 entry for `input` in the tree at `root`,
    /// adding the missing tables (valid table descriptors) from `next` on.
    static func map(_ memory: inout [UInt64: UInt64], _ next: inout UInt64, root: UInt64, _ input: UInt64,
                    leaf: UInt64) {
        var table = root
        for level in 0..<3 {
            let entry = table + Translation.index(input, level: level) * 8
            if let d = memory[entry] {
                table = Descriptor.outputAddress(d)
            } else {
                memory[entry] = next | Descriptor.tableOrPage | Descriptor.valid
                table = next
                next += 0x1000
            }
        }
        memory[table + Translation.index(input, level: 3) * 8] = leaf
    }
}
