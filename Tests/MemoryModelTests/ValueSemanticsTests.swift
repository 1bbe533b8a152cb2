import XCTest
@testable import MemoryModel

/// Flags and conditions against the Arm ARM's definitions, exhaustively on
/// 4-bit-like corner values of 32- and 64-bit operands.
final class ValueSemanticsTests: XCTestCase {
    let samples32: [UInt64] = [0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]

    /// CMP a, b then B.cond agrees with the signed/unsigned comparison each
    /// condition names.
    func testComparisonConditionsMatchTheirMeaning() {
        for a in samples32 {
            for b in samples32 {
                let flags = ValueSemantics.arithmetic(.subtract, a, b, width: 32).1
                let sa = Int32(truncatingIfNeeded: a), sb = Int32(truncatingIfNeeded: b)
                XCTAssertEqual(ValueSemantics.holds(.eq, flags), a == b)
                XCTAssertEqual(ValueSemantics.holds(.ne, flags), a != b)
                XCTAssertEqual(ValueSemantics.holds(.hs, flags), a >= b)
                XCTAssertEqual(ValueSemantics.holds(.lo, flags), a < b)
                XCTAssertEqual(ValueSemantics.holds(.hi, flags), a > b)
                XCTAssertEqual(ValueSemantics.holds(.ls, flags), a <= b)
                XCTAssertEqual(ValueSemantics.holds(.ge, flags), sa >= sb, "\(a) \(b)")
                XCTAssertEqual(ValueSemantics.holds(.lt, flags), sa < sb)
                XCTAssertEqual(ValueSemantics.holds(.gt, flags), sa > sb)
                XCTAssertEqual(ValueSemantics.holds(.le, flags), sa <= sb)
            }
        }
    }

    func testWRegisterArithmeticWrapsAt32Bits() {
        XCTAssertEqual(ValueSemantics.arithmetic(.add, 0xFFFF_FFFF, 1, width: 32).0, 0)
        XCTAssertEqual(ValueSemantics.arithmetic(.add, 0xFFFF_FFFF, 1, width: 64).0, 0x1_0000_0000)
        XCTAssertEqual(ValueSemantics.arithmetic(.shiftLeft, 1, 33, width: 32).0, 2)
        var r = RegisterFile()
        r.write(.x(3), 0xDEAD_BEEF_0000_0001)
        XCTAssertEqual(r.read(.w(3)), 1)
        r.write(.w(3), 0xFFFF_FFFF_FFFF_FFFF)
        XCTAssertEqual(r.read(.x(3)), 0xFFFF_FFFF)
    }

    func testAtomicOperationsAtTheirWidth() {
        XCTAssertEqual(ValueSemantics.atomic(.add, old: 0xFF, operand: 1, width: .byte), 0)
        XCTAssertEqual(ValueSemantics.atomic(.signedMax, old: 0x80, operand: 1, width: .byte), 1)
        XCTAssertEqual(ValueSemantics.atomic(.unsignedMax, old: 0x80, operand: 1, width: .byte), 0x80)
        XCTAssertEqual(ValueSemantics.atomic(.clear, old: 0b1111, operand: 0b0101, width: .word), 0b1010)
    }
}
