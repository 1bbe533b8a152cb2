import XCTest
@testable import MemoryModel

/// A64 encodings against the words the GNU assembler produces for them.
final class InstructionEncoderTests: XCTestCase {
    func testKnownEncodings() throws {
        let expected: [(String, UInt32)] = [
            ("NOP", 0xD503_201F), ("RET", 0xD65F_03C0), ("ISB", 0xD503_3FDF),
            ("DMB ISH", 0xD503_3BBF), ("DMB SY", 0xD503_3FBF), ("DSB SY", 0xD503_3F9F), ("DMB ISHST", 0xD503_3ABF),
            ("LDR W0,[X1]", 0xB940_0020), ("STR X0,[X1,#8]", 0xF900_0420), ("LDRB W2,[X3,#1]", 0x3940_0462),
            ("LDAR W0,[X1]", 0x88DF_FC20), ("STLR X0,[X1]", 0xC89F_FC20),
            ("MOV W0,#1", 0x5280_0020), ("MOV X0,X1", 0xAA01_03E0), ("ADD X0,X1,#4", 0x9100_1020),
            ("ADD W4,W4,#1", 0x1100_0484), ("SUB W9,W9,#1", 0x5100_0529), ("EOR W0,W1,W2", 0x4A02_0020),
            ("CMP W0,#1", 0x7100_041F), ("CMP X2,X3", 0xEB03_005F),
            ("CSEL W0,W1,W2,EQ", 0x1A82_0020), ("CSET W0,EQ", 0x1A9F_17E0),
            ("B .+4", 0x1400_0001), ("B .-8", 0x17FF_FFFE), ("BL .+4", 0x9400_0001),
            ("B.NE .+8", 0x5400_0041), ("CBZ X0,.+8", 0xB400_0040), ("CBNZ W1,.+12", 0x3500_0061),
            ("BR X3", 0xD61F_0060), ("BLR X8", 0xD63F_0100),
        ]
        for (text, word) in expected {
            let got = try InstructionEncoder.encode(statement: text, at: SourceLocation(file: "t", line: 1))
            XCTAssertEqual(got, word, "\(text): 0x\(String(got, radix: 16))")
        }
    }

    func testADRIsEncodedFromTheAddressTheAssemblerComputed() throws {
        let code = try Assembler(codeOrigin: ThreadCode.codeBase).assemble("NOP\nADR X0,L0\nL0: NOP")
        // ADR X0, .+4 at instruction 1.
        XCTAssertEqual(InstructionEncoder.encode(code.instructions[1], at: 1, origin: ThreadCode.codeBase), 0x1000_0020)
    }

    /// SVC/HVC/UDF/ERET, as code read or rewritten as data holds them
    /// (herd's SVC-ifetch tests).
    func testExceptionInstructionEncodings() throws {
        for (text, word) in [("SVC #0", 0xD400_0001), ("SVC #1", 0xD400_0021), ("HVC #0", 0xD400_0002),
                             ("UDF #0", 0x0000_0000), ("UDF #5", 0x0000_0005), ("ERET", 0xD69F_03E0)] as [(String, UInt32)] {
            let got = try InstructionEncoder.encode(statement: text, at: SourceLocation(file: "t", line: 1))
            XCTAssertEqual(got, word, "\(text): 0x\(String(got, radix: 16))")
        }
    }

    func testUnencodableInstructionsAreErrors() {
        XCTAssertThrowsError(try InstructionEncoder.encode(statement: "B L0", at: SourceLocation(file: "t", line: 3)))
        XCTAssertThrowsError(try InstructionEncoder.encode(statement: "SWP W0,W1,[X2]", at: SourceLocation(file: "t", line: 3)))
        XCTAssertNil(InstructionEncoder.encode(.move(.x(0), .immediate(0x1234_5678)), at: 0, origin: ThreadCode.codeBase))
    }
}
