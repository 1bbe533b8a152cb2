import Hypervisor
import MemoryModel

/// Which host 2 MiB blocks a sequential run mapped (seen in Spec: one host
/// fault or access took a block's first and last pages and the faulting
/// page from unmapped to mapped) and, at the end, which of them the
/// implementation has since split (its level-2 entry is a table): how the
/// equivalence tests show that their workloads exercise blocks and splits.
struct HostBlockCoverage {
    private(set) var blocks: Set<UInt64> = []
    private var pending: (first: UInt64, page: UInt64)?

    /// Call before `event` is applied to `spec`.
    mutating func willApply(_ event: MachineEvent, to spec: Spec) {
        pending = nil
        let address: UInt64
        switch event {
        case .hostAccess(let access): address = access.address
        case .hostStage2Fault(let faulting, _): address = faulting
        default: return
        }
        let page = address >> MachineConfig.pageShift
        let first = page & ~(MachineConfig.blockPages - 1)
        let last = first + MachineConfig.blockPages - 1
        guard let lastView = spec.pageView(last), !lastView.hostMapped,
              spec.pageView(first)?.hostMapped == false, spec.pageView(page)?.hostMapped == false
        else { return }
        pending = (first, page)
    }

    /// Call after the event was applied.
    mutating func didApply(to spec: Spec) {
        guard let (first, page) = pending else { return }
        pending = nil
        let last = first + MachineConfig.blockPages - 1
        if [first, page, last].allSatisfy({ spec.pageView($0)?.hostMapped == true }) { blocks.insert(first) }
    }

    /// The blocks whose level-2 entry in `impl`'s host stage 2 is now a table.
    func split(in impl: Implementation) -> Set<UInt64> {
        blocks.filter { first in
            var table = impl.layout.hostPgd
            for level in (4 - impl.config.pageTableLevels)...2 {
                let d = impl.memory.word(table + ((first >> UInt64(9 * (3 - level))) & 511) * 8)
                guard Descriptor.isValid(d), d & Descriptor.tableOrPage != 0 else { return false }
                table = Descriptor.outputAddress(d)
            }
            return true
        }
    }
}
