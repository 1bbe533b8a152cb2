/// Code addresses: what ADR, BL/BLR (the link register), ELR and herd's
/// label values (`0:X3=P1:L0`) hold, and what BR/BLR/RET/ERET go to.
///
/// Thread `t`'s own code (and its handlers) lies at `codeOrigin + 4 * index`.
/// Litmus threads get distinct origins (`codeOrigin(ofThread:)`), so that a
/// label value names one instruction of one thread, as herd's `P1:L0` does;
/// a thread that branches to another thread's code runs that code itself
/// (herd-regression L023: P0 calls `P1:Ldec`), so that code is imported: a
/// copy appended to the thread's instructions, at the other thread's
/// addresses. The machines do not fetch instructions from memory.
public struct ImportedCode: Hashable, Sendable {
    /// Code address of the first imported instruction.
    public var origin: UInt64
    /// Where the copy lies in the importing thread's instructions.
    public var instructions: Range<Int>

    public init(origin: UInt64, instructions: Range<Int>) {
        self.origin = origin
        self.instructions = instructions
    }
}

extension ThreadCode {
    /// Code address of the first instruction of a single-threaded program
    /// (hypervisor handlers) and of litmus thread 0 (chosen far from the
    /// litmus data and page-table addresses).
    public static let codeBase: UInt64 = 0x4000_0000

    /// Litmus thread `t`'s code origin: 16 MiB of code address space apart.
    public static func codeOrigin(ofThread t: Int) -> UInt64 {
        codeBase &+ UInt64(t) << 24
    }

    /// The address of instruction `index` of code at `codeBase`.
    public static func codeAddress(ofInstruction index: Int) -> UInt64 {
        codeBase &+ UInt64(index) &* 4
    }

    /// The address of this thread's instruction `index` (in imported code,
    /// the address it has in the thread it came from).
    public func codeAddress(ofInstruction index: Int) -> UInt64 {
        if let segment = importedCode.first(where: { $0.instructions.contains(index) }) {
            return segment.origin &+ UInt64(index - segment.instructions.lowerBound) &* 4
        }
        return codeOrigin &+ UInt64(index) &* 4
    }

    /// The instruction index at a code address; `ownCodeEnd` (one past the
    /// thread's own code: the end) for the address one past it; nil for an
    /// address that is no instruction here.
    public func instructionIndex(atCodeAddress address: UInt64) -> Int? {
        let own = importedCode.isEmpty ? instructions.count : importedCode[0].instructions.lowerBound - 1
        if address >= codeOrigin, (address - codeOrigin) % 4 == 0, (address - codeOrigin) / 4 <= UInt64(own) {
            let index = Int((address - codeOrigin) / 4)
            return index == own ? instructions.count : index
        }
        for segment in importedCode where address >= segment.origin && (address - segment.origin) % 4 == 0 {
            let offset = (address - segment.origin) / 4
            if offset < UInt64(segment.instructions.count) { return segment.instructions.lowerBound + Int(offset) }
            if offset == UInt64(segment.instructions.count) { return instructions.count }
        }
        return nil
    }

    /// Whether the instruction at `index` runs at EL0: the thread's own
    /// code does when the thread is an EL0 thread (herd's `EL0=P0`); its
    /// exception handlers run at their EL.
    public func isUnprivileged(at index: Int) -> Bool {
        guard runsAtEL0 else { return false }
        if let first = handlers.first, index >= first.entry { return false }
        return true
    }

    /// Where BR/BLR/RET go for a register value. The link register starts
    /// at 0, so a RET no BL set (herd's compiled tests end each thread with
    /// one) returns from the thread to its launcher: the thread ends.
    public func branchTarget(_ value: UInt64, thread: Int) throws(MachineError) -> Int {
        if value == 0 { return instructions.count }
        guard let index = instructionIndex(atCodeAddress: value) else {
            throw .unsupported("branch of thread \(thread) to 0x\(String(value, radix: 16)), which is no instruction")
        }
        return index
    }

    /// The threads, each importing the others' code if any thread branches
    /// to a register (which may hold another thread's label); else as given.
    public static func linkedForCalls(_ threads: [ThreadCode]) -> [ThreadCode] {
        let calls = threads.contains { $0.instructions.contains { if case .branchToRegister = $0 { true } else { false } } }
        guard calls, threads.count > 1 else { return threads }
        return threads.indices.map { t in
            threads[t].importing(threads.indices.filter { $0 != t }.map { threads[$0] })
        }
    }

    /// This thread's code with `others` appended (each at its own origin),
    /// each piece followed by a `B <end>` so that falling off it ends the
    /// thread as it ends the thread the code came from; their branch targets
    /// are moved to the copy, a branch to the end of a piece ends the thread.
    public func importing(_ others: [ThreadCode]) -> ThreadCode {
        var code = self
        let total = instructions.count + 1 + others.reduce(0) { $0 + $1.instructions.count + 1 }
        // This thread's own branches to its end now skip the imported code.
        code.instructions = instructions.map { $0.retargeted { $0 >= instructions.count ? total : $0 } }
        code.instructions.append(.branch(to: total))
        for other in others {
            let count = other.instructions.count, base = code.instructions.count
            code.instructions += other.instructions.map { $0.retargeted { $0 >= count ? total : base + $0 } }
            code.instructions.append(.branch(to: total))
            code.importedCode.append(ImportedCode(origin: other.codeOrigin, instructions: base..<base + count))
        }
        return code
    }
}

extension Instruction {
    /// The same instruction with its branch target (if any) mapped.
    func retargeted(_ map: (Int) -> Int) -> Instruction {
        switch self {
        case .branch(let t): return .branch(to: map(t))
        case .branchConditional(let c, let t): return .branchConditional(c, to: map(t))
        case .compareBranchZero(let r, let t): return .compareBranchZero(r, to: map(t))
        case .compareBranchNonZero(let r, let t): return .compareBranchNonZero(r, to: map(t))
        case .branchAndLink(let t): return .branchAndLink(to: map(t))
        default: return self
        }
    }
}
