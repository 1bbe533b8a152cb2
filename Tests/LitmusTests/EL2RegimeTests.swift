import Litmus
import MemoryModel
import XCTest

/// The EL2 translation regime and combined stage 1+2 TLB entries, on
/// isla tests written for these checks (not from the shared set).
final class EL2RegimeTests: XCTestCase {
    func allowed(_ text: String, on machine: any MemoryMachine = ArmMachine(),
                 file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
        let r = try InlineTestRunning.run(text, file: "el2.litmus.toml", on: machine)
        XCTAssertFalse(r.boundReached, file: file, line: line)
        return r.allowed
    }

    /// EL2 code translates through TTBR0_EL2 (its own table maps x to pa1),
    /// EL1 code after ERET through TTBR0_EL1 and stage 2 (x to pa2).
    static let regimes = #"""
        arch = "AArch64"
        name = "EL2.regimes"
        symbolic = ["x"]
        page_table_setup = """
            option default_tables = false;
            physical pa1 pa2;
            intermediate ipa2;
            s2table guest_s2 0x300000 {
                ipa2 |-> pa2;
                s1table guest_s1 0x340000 { x |-> ipa2; }
            }
            s1table hyp 0x200000 { x |-> pa1; s1table guest_s1; s2table guest_s2; }
            *pa1 = 1;
            *pa2 = 2;
        """
        [thread.0]
        code = """
            LDR X0,[X1]
            ERET
        L0:
            LDR X2,[X1]
        """
        [thread.0.reset]
        R1 = "x"
        TTBR0_EL2 = "ttbr(asid=0x0000, base=hyp)"
        TTBR0_EL1 = "ttbr(asid=0x0000, base=guest_s1)"
        VTTBR_EL2 = "ttbr(vmid=0x0001, base=guest_s2)"
        "PSTATE.EL" = "0b10"
        SPSR_EL2 = "extz(0b00101, 64)"
        ELR_EL2 = "L0:"
        [final]
        assertion = "0:X0=1 & 0:X2=2"
        """#

    func testEL2CodeWalksTTBR0EL2AndERETReturnsToTheGuestRegime() throws {
        XCTAssertTrue(try allowed(Self.regimes))
        XCTAssertTrue(try allowed(Self.regimes, on: SCMachine()))
        let other = Self.regimes.replacingOccurrences(of: "0:X0=1 & 0:X2=2", with: "~(0:X0=1 & 0:X2=2)")
        XCTAssertFalse(try allowed(other))
        XCTAssertFalse(try allowed(other, on: SCMachine()))
    }

    /// MP through an EL2 mapping: thread 0 (EL2) unmaps x in the hypervisor's
    /// table, invalidates, then sets y; thread 1 (EL2) reads y = 1 and then x
    /// through its stale entry. Only an EL2 TLBI reaches EL2 entries.
    static func hypervisorMP(_ tlbi: String) -> String {
        #"""
        arch = "AArch64"
        name = "MP.EL2.TLBI"
        symbolic = ["x", "y"]
        page_table_setup = """
            option default_tables = false;
            physical pa1 pa2;
            s1table hyp 0x200000 { x |-> pa1; y |-> pa2; }
            *pa1 = 1;
        """
        [thread.0]
        code = """
            STR X0,[X1]
            DSB SY
            \#(tlbi)
            DSB SY
            STR X2,[X3]
        """
        [thread.0.reset]
        R0 = "extz(0b0, 64)"
        R1 = "pte3(x, hyp)"
        R2 = "extz(0b1, 64)"
        R3 = "y"
        R4 = "extz(page(x), 64)"
        TTBR0_EL2 = "ttbr(asid=0x0000, base=hyp)"
        "PSTATE.EL" = "0b10"
        [thread.1]
        code = """
            LDR X0,[X1]
            DSB SY
            ISB
            LDR X2,[X3]
        """
        [thread.1.reset]
        R1 = "y"
        R3 = "x"
        TTBR0_EL2 = "ttbr(asid=0x0000, base=hyp)"
        "PSTATE.EL" = "0b10"
        [final]
        assertion = "1:X0=1 & 1:X2=1"
        """#
    }

    func testOnlyEL2TLBIsInvalidateEL2Entries() throws {
        XCTAssertFalse(try allowed(Self.hypervisorMP("TLBI VAE2IS,X4")))
        XCTAssertFalse(try allowed(Self.hypervisorMP("TLBI ALLE2IS")))
        // EL1&0 maintenance leaves the hypervisor's entry cached.
        XCTAssertTrue(try allowed(Self.hypervisorMP("TLBI VMALLE1IS")))
        XCTAssertTrue(try allowed(Self.hypervisorMP("TLBI VAE1IS,X4")))
        XCTAssertTrue(try allowed(Self.hypervisorMP("NOP")))
        XCTAssertFalse(try allowed(Self.hypervisorMP("TLBI ALLE2IS"), on: SCMachine()))
    }

    /// MP through stage 2: the hypervisor (EL2) unmaps ipa1 in stage 2 and
    /// invalidates; the guest (EL1) reads y = 1, then x (x -> ipa1 -> pa1)
    /// with a handler that leaves X2 = 1 on a fault. A combined stage 1+2
    /// entry for x survives IPAS2E1IS; VMALLE1IS after it removes it.
    static func stage2MP(_ maintenance: String) -> String {
        #"""
        arch = "AArch64"
        name = "MP.S2.combined"
        symbolic = ["x", "y", "z"]
        page_table_setup = """
            physical pa1 pa2;
            intermediate ipa1 ipa2;
            x |-> ipa1;
            ipa1 |-> pa1;
            y |-> ipa2;
            ipa2 |-> pa2;
            z |-> pa2;
            *pa1 = 0;
            *pa2 = 0;
        """
        [thread.0]
        code = """
            STR X0,[X1]
            DSB SY
            \#(maintenance)
            STR X2,[X3]
        """
        [thread.0.reset]
        R0 = "extz(0b0, 64)"
        R1 = "pte3(ipa1, s2_page_table_base)"
        R2 = "extz(0b1, 64)"
        R3 = "z"
        R4 = "extz(page(ipa1), 64)"
        "PSTATE.EL" = "0b10"
        [thread.1]
        code = """
            LDR X0,[X1]
            DSB SY
            ISB
            MOV X2,#1
            LDR X2,[X3]
        """
        [thread.1.reset]
        R1 = "y"
        R3 = "x"
        VBAR_EL2 = "extz(0x2000, 64)"
        [section.thread1_el2_handler]
        address = "0x2400"
        code = """
            MRS X13,ELR_EL2
            ADD X13,X13,#4
            MSR ELR_EL2,X13
            ERET
        """
        [final]
        assertion = "1:X0=1 & 1:X2=0"
        """#
    }

    func testCombinedEntrySurvivesStage2OnlyTLBI() throws {
        XCTAssertTrue(try allowed(Self.stage2MP("TLBI IPAS2E1IS,X4\n    DSB SY")))
        XCTAssertFalse(try allowed(Self.stage2MP("TLBI IPAS2E1IS,X4\n    DSB SY\n    TLBI VMALLE1IS\n    DSB SY")))
        XCTAssertFalse(try allowed(Self.stage2MP("TLBI IPAS2E1IS,X4\n    DSB SY"), on: SCMachine()))
    }
}
