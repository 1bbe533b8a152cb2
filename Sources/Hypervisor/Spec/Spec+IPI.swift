/// Interrupts between CPUs: guest SGIs between vCPUs of one VM (trapped and
/// made pending on the target vCPU) and physical SGIs (kicks) the host or
/// the hypervisor raise at a CPU. Spec records what is pending; taking an
/// interrupt clears it. Taking one that is not pending is `.spurious`.
extension Spec {
    static let sgiCount: UInt32 = 16

    mutating func guestSendSGI(cpu: Int, _ ref: VCPURef, target: UInt32, intid: UInt32) -> Outcome {
        let vm: Int
        switch checkLoaded(cpu: cpu, ref) {
        case .failure(let why): return .invalid(why)
        case .success(let index): vm = index
        }
        guard intid < Spec.sgiCount else { return .invalid(.badInterruptID(intid)) }
        let index = Int(target)
        guard index < vms[vm].vcpus.count, vms[vm].vcpus[index].initialised else { return .ipi(.dropped) }
        vms[vm].vcpus[index].pendingSGIs |= 1 << UInt16(intid)
        return .ipi(.pending)
    }

    mutating func guestTakeSGI(cpu: Int, _ ref: VCPURef, intid: UInt32) -> Outcome {
        let vm: Int
        switch checkLoaded(cpu: cpu, ref) {
        case .failure(let why): return .invalid(why)
        case .success(let index): vm = index
        }
        guard intid < Spec.sgiCount else { return .invalid(.badInterruptID(intid)) }
        let bit: UInt16 = 1 << UInt16(intid)
        let index = Int(ref.vcpu)
        guard vms[vm].vcpus[index].pendingSGIs & bit != 0 else { return .ipi(.spurious) }
        vms[vm].vcpus[index].pendingSGIs &= ~bit
        return .ipi(.taken)
    }

    mutating func sendIPI(target: UInt32, intid: UInt32) -> Outcome {
        guard Int(target) < pendingIPIs.count else { return .invalid(.noSuchCPU(target)) }
        guard intid < Spec.sgiCount else { return .invalid(.badInterruptID(intid)) }
        pendingIPIs[Int(target)] |= 1 << UInt16(intid)
        return .ipi(.pending)
    }

    mutating func takeIPI(cpu: Int, intid: UInt32) -> Outcome {
        guard intid < Spec.sgiCount else { return .invalid(.badInterruptID(intid)) }
        let bit: UInt16 = 1 << UInt16(intid)
        guard pendingIPIs[cpu] & bit != 0 else { return .ipi(.spurious) }
        pendingIPIs[cpu] &= ~bit
        return .ipi(.taken)
    }
}
