import MemoryModel
import XCTest

/// The assembler on herd's spellings: every family of the IR, labels resolved
/// to indices, and errors that name the instruction and the line.
final class AssemblerTests: XCTestCase {
    func assemble(_ text: String) throws -> [Instruction] {
        try Assembler().assemble(text, file: "t.s").instructions
    }

    func testLoadsAndStoresWithEveryAddressingMode() throws {
        let code = try assemble("""
            LDR W0,[X1]
            LDR X2,[X3,#8]
            LDRB W4,[X5,X6]
            LDRH W7,[X8,W9,SXTW]
            STR W0,[X1,X2,LSL #3]
            STRB W0,[X1,#1]
            """)
        XCTAssertEqual(code, [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
            .load(.x(2), Address(base: .x(3), offset: .immediate(8)), width: .doubleword, ordering: .plain, exclusive: false),
            .load(.w(4), Address(base: .x(5), offset: .reg(.x(6))), width: .byte, ordering: .plain, exclusive: false),
            .load(.w(7), Address(base: .x(8), offset: .register(.w(9), .sxtw(0))), width: .halfword, ordering: .plain, exclusive: false),
            .store(.w(0), Address(base: .x(1), offset: .register(.x(2), .lsl(3))), width: .word, release: false, exclusiveStatus: nil),
            .store(.w(0), Address(base: .x(1), offset: .immediate(1)), width: .byte, release: false, exclusiveStatus: nil),
        ])
    }

    /// herd accepts an X register under UXTW/SXTW (regression A05): the
    /// extension reads its low 32 bits, so it is the W view.
    func testExtendedXOffsetIsItsWView() throws {
        XCTAssertEqual(try assemble("LDRH W0, [X1, X2, UXTW]\nLDR W3, [X1, X4, SXTW #2]"), [
            .load(.w(0), Address(base: .x(1), offset: .register(.w(2), .uxtw(0))), width: .halfword, ordering: .plain, exclusive: false),
            .load(.w(3), Address(base: .x(1), offset: .register(.w(4), .sxtw(2))), width: .word, ordering: .plain, exclusive: false),
        ])
        XCTAssertThrowsError(try assemble("LDR W0, [X1, W2]"))
    }

    func testOrderedAndExclusiveAccesses() throws {
        let a = Address(base: .x(1))
        XCTAssertEqual(try assemble("LDAR X0,[X1]\nLDAPR W0,[X1]\nLDXR W0,[X1]\nLDAXRH W0,[X1]"), [
            .load(.x(0), a, width: .doubleword, ordering: .acquire, exclusive: false),
            .load(.w(0), a, width: .word, ordering: .acquirePC, exclusive: false),
            .load(.w(0), a, width: .word, ordering: .plain, exclusive: true),
            .load(.w(0), a, width: .halfword, ordering: .acquire, exclusive: true),
        ])
        XCTAssertEqual(try assemble("STLR W0,[X1]\nSTXR W9,W2,[X1]\nSTLXRB W9,W2,[X1]"), [
            .store(.w(0), a, width: .word, release: true, exclusiveStatus: nil),
            .store(.w(2), a, width: .word, release: false, exclusiveStatus: .w(9)),
            .store(.w(2), a, width: .byte, release: true, exclusiveStatus: .w(9)),
        ])
    }

    func testAtomics() throws {
        let a = Address(base: .x(3))
        XCTAssertEqual(try assemble("""
            CAS W0,W2,[X3]
            CASAL X0,X2,[X3]
            CASLB W0,W2,[X3]
            SWPA W4,WZR,[X3]
            LDADD W10, W4, [X3]
            LDCLRAL X9,X6,[X3]
            STADD W10, [X3]
            STSETL W10,[X3]
            LDSMAXH W1,W2,[X3]
            CASA WZR,W2,[X3]
            LDADDA W1,XZR,[X3]
            """), [
            .compareAndSwap(compare: .w(0), new: .w(2), a, width: .word, acquire: false, release: false),
            .compareAndSwap(compare: .x(0), new: .x(2), a, width: .doubleword, acquire: true, release: true),
            .compareAndSwap(compare: .w(0), new: .w(2), a, width: .byte, acquire: false, release: true),
            // A zero-register destination drops the acquire (Arm ARM, SWPA).
            .swap(source: .w(4), destination: .wzr, a, width: .word, acquire: false, release: false),
            .atomic(.add, source: .w(10), destination: .w(4), a, width: .word, acquire: false, release: false),
            .atomic(.clear, source: .x(9), destination: .x(6), a, width: .doubleword, acquire: true, release: true),
            .atomic(.add, source: .w(10), destination: nil, a, width: .word, acquire: false, release: false),
            .atomic(.set, source: .w(10), destination: nil, a, width: .word, acquire: false, release: true),
            .atomic(.signedMax, source: .w(1), destination: .w(2), a, width: .halfword, acquire: false, release: false),
            .compareAndSwap(compare: .wzr, new: .w(2), a, width: .word, acquire: false, release: false),
            .atomic(.add, source: .w(1), destination: .xzr, a, width: .word, acquire: false, release: false),
        ])
    }

    func testWritebackBecomesAnAddToTheBase() throws {
        let add = Instruction.arithmetic(.add, destination: .x(3), .x(3), .immediate(4), setsFlags: false)
        XCTAssertEqual(try assemble("STR W2,[X3],#4\nLDR W2,[X3,#4]!"), [
            .store(.w(2), Address(base: .x(3)), width: .word, release: false, exclusiveStatus: nil), add,
            add, .load(.w(2), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false),
        ])
    }

    func testPairs() throws {
        XCTAssertEqual(try assemble("LDP X3,X4,[X0]\nSTNP W2,W1,[X0,#8]"), [
            .loadPair(.x(3), .x(4), Address(base: .x(0)), width: .doubleword),
            .storePair(.w(2), .w(1), Address(base: .x(0), offset: .immediate(8)), width: .word),
        ])
    }

    func testOrderedPairs() throws {
        // FEAT_LRCPC3 LDIAPP/STILP, and herd's LDAP/STLP spellings of them.
        let a = Address(base: .x(2))
        XCTAssertEqual(try assemble("LDIAPP W0,W1,[X2]\nSTILP X0,X1,[X2]\nLDAP X3,X4,[X2]\nSTLP W3,W4,[X2]"), [
            .loadPair(.w(0), .w(1), a, width: .word, acquirePC: true),
            .storePair(.x(0), .x(1), a, width: .doubleword, release: true),
            .loadPair(.x(3), .x(4), a, width: .doubleword, acquirePC: true),
            .storePair(.w(3), .w(4), a, width: .word, release: true),
        ])
        XCTAssertThrowsError(try assemble("STILPB W0,W1,[X2]"))
    }

    func testExclusivePairs() throws {
        let a = Address(base: .x(2))
        XCTAssertEqual(try assemble("LDXP X3,X4,[X2]\nLDAXP W3,W4,[X2]\nSTXP W9,X0,X1,[X2]\nSTLXP W9,W5,W5,[X2]"), [
            .loadExclusivePair(.x(3), .x(4), a, width: .doubleword, acquire: false),
            .loadExclusivePair(.w(3), .w(4), a, width: .word, acquire: true),
            .storeExclusivePair(status: .w(9), .x(0), .x(1), a, width: .doubleword, release: false),
            .storeExclusivePair(status: .w(9), .w(5), .w(5), a, width: .word, release: true),
        ])
        XCTAssertThrowsError(try assemble("STXP X9,X0,X1,[X2]"))
        XCTAssertThrowsError(try assemble("LDXP X3,W4,[X2]"))
    }

    func testCompareAndSwapPair() throws {
        XCTAssertEqual(try assemble("CASPAL X0,X1,X2,X3,[X4]\nCASP W6,W7,W2,W3,[X5]"), [
            .compareAndSwapPair(compare: .x(0), .x(1), new: .x(2), .x(3), Address(base: .x(4)), width: .doubleword,
                                acquire: true, release: true),
            .compareAndSwapPair(compare: .w(6), .w(7), new: .w(2), .w(3), Address(base: .x(5)), width: .word,
                                acquire: false, release: false),
        ])
        // Odd first registers, non-consecutive pairs and mixed widths are not CASP.
        XCTAssertThrowsError(try assemble("CASP W1,W2,W4,W5,[X5]"))
        XCTAssertThrowsError(try assemble("CASP W0,W2,W4,W5,[X5]"))
        XCTAssertThrowsError(try assemble("CASP W0,W1,X4,X5,[X5]"))
    }

    func testBarriersTLBIAndSystemRegisters() throws {
        XCTAssertEqual(try assemble("""
            DMB SY
            DMB LD
            DMB ISHST
            DSB ISH
            DSB NSH
            DSB OSHLD
            ISB
            TLBI VAAE1IS,X9
            TLBI VMALLE1IS
            TLBI IPAS2E1, X4
            TLBI ASIDE1IS, X0
            MSR VTTBR_EL2,X3
            MRS X1, TTBR0_EL1
            """), [
            .dmb(.fullSystem, .all), .dmb(.fullSystem, .load), .dmb(.innerShareable, .store),
            .dsb(.innerShareable, .all), .dsb(.nonShareable, .all), .dsb(.outerShareable, .load),
            .isb,
            .tlbi(.vaae1is, .x(9)), .tlbi(.vmalle1is, nil), .tlbi(.ipas2e1, .x(4)), .tlbi(.aside1is, .x(0)),
            .msr(.vttbrEl2, .x(3)), .mrs(.x(1), .ttbr0El1),
        ])
    }

    func testDataProcessing() throws {
        XCTAssertEqual(try assemble("""
            MOV W0,#1
            MOV X1,X2
            MOVZ W1,#2
            MOV W3,#-1
            ADD W2,W2,#1
            EOR W2,W0,W0
            AND X4,X5,X6,LSL #2
            SUBS X13,X13,0b010110
            LSR X9,X3,#12
            ADD X5,X4,W3,SXTW
            CMP W0,#1
            CSEL W2,W3,W4,EQ
            csel x0,x17,x18,ne
            CSET W5,NE
            CSINC W3,WZR,WZR,EQ
            NOP
            """), [
            .move(.w(0), .immediate(1)), .move(.x(1), .reg(.x(2))), .move(.w(1), .immediate(2)),
            .move(.w(3), .immediate(0xFFFF_FFFF)),
            .arithmetic(.add, destination: .w(2), .w(2), .immediate(1), setsFlags: false),
            .arithmetic(.exclusiveOr, destination: .w(2), .w(0), .reg(.w(0)), setsFlags: false),
            .arithmetic(.and, destination: .x(4), .x(5), .register(.x(6), .lsl(2)), setsFlags: false),
            .arithmetic(.subtract, destination: .x(13), .x(13), .immediate(22), setsFlags: true),
            .arithmetic(.shiftRight, destination: .x(9), .x(3), .immediate(12), setsFlags: false),
            .arithmetic(.add, destination: .x(5), .x(4), .register(.w(3), .sxtw(0)), setsFlags: false),
            .compare(.w(0), .immediate(1)),
            .conditionalSelect(destination: .w(2), .w(3), .w(4), .eq),
            .conditionalSelect(destination: .x(0), .x(17), .x(18), .ne),
            .conditionalSet(destination: .w(5), .ne),
            .conditionalSet(destination: .w(3), .ne),
            .nop,
        ])
    }

    func testAliasesLowerToTheirDefinitions() throws {
        XCTAssertEqual(try assemble("MVN W1,W2\nNEG X3,X4\nTST W5,#1\nLDURB W0,[X1,#-1]\nSTUR X0,[X1]"), [
            .arithmetic(.exclusiveOr, destination: .w(1), .w(2), .immediate(0xFFFF_FFFF), setsFlags: false),
            .arithmetic(.subtract, destination: .x(3), .xzr, .reg(.x(4)), setsFlags: false),
            .arithmetic(.and, destination: .wzr, .w(5), .immediate(1), setsFlags: true),
            .load(.w(0), Address(base: .x(1), offset: .immediate(~0)), width: .byte, ordering: .plain, exclusive: false),
            .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
        ])
    }

    func testBitClearIsBuiltInItsDestination() throws {
        XCTAssertEqual(try assemble("BIC X3,X2,X1,LSL 10\nBIC W0,W1,#1"), [
            .arithmetic(.shiftLeft, destination: .x(3), .x(1), .immediate(10), setsFlags: false),
            .arithmetic(.exclusiveOr, destination: .x(3), .x(3), .immediate(~0), setsFlags: false),
            .arithmetic(.and, destination: .x(3), .x(2), .reg(.x(3)), setsFlags: false),
            .arithmetic(.and, destination: .w(0), .w(1), .immediate(0xFFFF_FFFE), setsFlags: false),
        ])
        XCTAssertThrowsError(try assemble("BIC X2,X2,X1"))
    }

    func testLabelsResolveToInstructionIndices() throws {
        let code = try Assembler().assemble("""
            LDR W0,[X3]
            CBNZ W0,LC00
            LC00:
            ISB
            B.EQ L1
            CBZ W0, L1
            B LC00
            L1:
            """)
        XCTAssertEqual(code.instructions[1], .compareBranchNonZero(.w(0), to: 2))
        XCTAssertEqual(code.instructions[3], .branchConditional(.eq, to: 6))
        XCTAssertEqual(code.instructions[4], .compareBranchZero(.w(0), to: 6))
        XCTAssertEqual(code.instructions[5], .branch(to: 2))
        XCTAssertEqual(code.labels, ["LC00": 2, "L1": 6])
    }

    func testLabelOnTheSameLineAndNumericLocalLabels() throws {
        let code = try Assembler().assemble("""
            L0: LDR W4,[X3] // comment
              CBZ X13, 2f
            1:
              B 1b
            2:
              NOP
            """)
        XCTAssertEqual(code.labels["L0"], 0)
        XCTAssertEqual(code.instructions[1], .compareBranchZero(.x(13), to: 3))
        XCTAssertEqual(code.instructions[2], .branch(to: 2))
    }

    func testSymbolicRegistersAndRetThroughTheLinkRegister() throws {
        let code = try Assembler(symbolicRegisters: ["P0_x": 7]).assemble("STLR W1,[X%P0_x]\nRET\nNOP")
        XCTAssertEqual(code.instructions, [
            .store(.w(1), Address(base: .x(7)), width: .word, release: true, exclusiveStatus: nil),
            .branchToRegister(.x(30), link: false), .nop,
        ])
    }

    func testCallsAndBranchesToRegisters() throws {
        let code = try Assembler(codeOrigin: 0x5000_0000).assemble("BL L1\nBLR X8\nBR X3\nRET X5\nL1: ADR X0,L1")
        XCTAssertEqual(code.instructions, [
            .branchAndLink(to: 4), .branchToRegister(.x(8), link: true), .branchToRegister(.x(3), link: false),
            .branchToRegister(.x(5), link: false), .move(.x(0), .immediate(0x5000_0010)),
        ])
        XCTAssertEqual(code.codeOrigin, 0x5000_0000)
    }

    func testErrorsNameTheInstructionAndLine() {
        func error(_ text: String) -> AssemblyError? {
            do { _ = try Assembler().assemble(text, file: "h.s", firstLine: 10); return nil }
            catch { return error }
        }
        let cases: [(String, Int, String)] = [
            ("NOP\nBRAA X1,X2", 11, "BRAA"),
            ("ERET X0", 10, "unexpected operand"),
            ("LDR W0,[X1,X2]!", 10, "pre-index"),
            ("LDR W0,[X1],X2", 10, "unexpected operand"),
            ("B nowhere", 10, "nowhere"),
            ("MSR VBAR_EL1,X0", 10, "VBAR_EL1"),
            ("LDR W0,[W1]", 10, "base register"),
            ("DMB XYZ", 10, "XYZ"),
            ("L0:\nL0:", 11, "twice"),
            ("ADD W0,W1", 10, "missing"),
            ("LDRB X0,[X1]", 10, "W register"),
            ("STR W0,[X1", 10, "unbalanced"),
        ]
        for (text, line, fragment) in cases {
            guard let e = error(text) else { XCTFail("'\(text)' assembled"); continue }
            XCTAssertEqual(e.location, SourceLocation(file: "h.s", line: line), "\(text): \(e)")
            XCTAssertTrue(e.description.contains(fragment), "\(text): \(e)")
            XCTAssertTrue(e.description.hasPrefix("h.s:\(line): "), "\(e)")
        }
    }
}
