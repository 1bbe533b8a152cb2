import MemoryModel

/// herd's `NV2` variant, FEAT_NV2 (Arm ARM D8.?, "Enhanced support for
/// nested virtualization"): a guest hypervisor runs at EL1 with
/// HCR_EL2.{NV,NV2} set, and its MSR/MRS of EL1 registers that VNCR_EL2's
/// page holds become 64-bit stores and loads at VNCR_EL2.BADDR + the
/// register's offset, ordinary memory accesses another thread may see
/// (herd-regression A254: P0's `MSR ELR_EL1` is P1's `[nvmem+0x230]`).
///
/// A thread uses it when its VNCR_EL2 is initialised under the variant; its
/// transformed instructions are loads/stores with a constant address (the
/// zero register as base), so they carry no register dependency.
enum NestedVirtualisation {
    /// Offsets in the VNCR page of the EL1 registers the machines model
    /// (Arm ARM table "Offsets of registers in the VNCR page", as Linux's
    /// vncr_mapping.h lists them).
    static let offsets: [SystemRegister: UInt64] = [
        .ttbr0El1: 0x200, .esrEl1: 0x138, .farEl1: 0x220, .elrEl1: 0x230,
    ]

    /// The thread's code with each MSR/MRS of a VNCR-page register made a
    /// memory access at `base` + its offset.
    static func redirect(_ code: ThreadCode, base: UInt64) -> ThreadCode {
        var code = code
        code.instructions = code.instructions.map { i in
            switch i {
            case let .msr(register, source):
                guard let offset = offsets[register] else { return i }
                return .store(source.full, Address(base: .xzr, offset: .immediate(base &+ offset)), width: .doubleword,
                              release: false, exclusiveStatus: nil)
            case let .mrs(destination, register):
                guard let offset = offsets[register] else { return i }
                return .load(destination.full, Address(base: .xzr, offset: .immediate(base &+ offset)), width: .doubleword,
                             ordering: .plain, exclusive: false)
            default:
                return i
            }
        }
        return code
    }
}
