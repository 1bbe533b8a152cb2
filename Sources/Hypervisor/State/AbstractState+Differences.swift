extension AbstractState {
    /// Human-readable differences between two states, at most `limit` of
    /// them (the oracle's and the tests' way to say what diverged without
    /// printing whole states).
    public func differences(from other: AbstractState, limit: Int = 8) -> [String] {
        var found: [String] = []
        func note(_ text: @autoclosure () -> String) -> Bool {
            if found.count < limit { found.append(text()) }
            return found.count >= limit
        }
        if pages.count != other.pages.count {
            _ = note("page count \(other.pages.count) -> \(pages.count)")
        }
        for (pfn, (old, new)) in zip(other.pages, pages).enumerated() where old != new {
            if note("page 0x\(String(pfn, radix: 16)): \(old) -> \(new)") { return found }
        }
        if wordsPerPage == other.wordsPerPage {
            for (index, (old, new)) in zip(other.contents, contents).enumerated() where old != new {
                let where_ = "page 0x\(String(index / wordsPerPage, radix: 16)) word \(index % wordsPerPage)"
                if note("\(where_): 0x\(String(old, radix: 16)) -> 0x\(String(new, radix: 16))") { return found }
            }
        } else if note("words per page \(other.wordsPerPage) -> \(wordsPerPage)") {
            return found
        }
        for (index, (old, new)) in zip(other.vms, vms).enumerated() where old != new {
            if old.status != new.status, note("vm\(index) status \(old.status) -> \(new.status)") { return found }
            if old.mappings != new.mappings {
                let added = Set(new.mappings).subtracting(old.mappings).sorted { $0.gfn < $1.gfn }
                let removed = Set(old.mappings).subtracting(new.mappings).sorted { $0.gfn < $1.gfn }
                for mapping in removed where note("vm\(index) unmapped \(mapping)") { return found }
                for mapping in added where note("vm\(index) mapped \(mapping)") { return found }
            }
            if old.vcpus != new.vcpus, note("vm\(index) vCPUs \(old.vcpus) -> \(new.vcpus)") { return found }
            if (old.tablePages, old.poolPages) != (new.tablePages, new.poolPages),
                note("vm\(index) tables/pool \(old.tablePages)/\(old.poolPages) -> \(new.tablePages)/\(new.poolPages)")
            {
                return found
            }
        }
        if vms.count != other.vms.count, note("VM count \(other.vms.count) -> \(vms.count)") { return found }
        if loadedVCPUs != other.loadedVCPUs, note("loaded vCPUs \(other.loadedVCPUs) -> \(loadedVCPUs)") {
            return found
        }
        if pendingIPIs != other.pendingIPIs { _ = note("pending IPIs \(other.pendingIPIs) -> \(pendingIPIs)") }
        return found
    }
}

extension PageView: CustomStringConvertible {
    public var description: String {
        "(owner \(owner), host \(host), hyp \(hyp), count \(shareGuestCount), pins \(pinCount)"
            + (hostMapped ? ", mapped)" : ")")
    }
}
