/// The machine a trace runs on: CPUs, physical memory, stage-2 geometry, VMs.
///
/// Physical memory is one region of `physicalPages` 4 KiB pages starting at
/// physical address 0; every other address inside the stage-2 input address
/// space is MMIO. Each page models `wordsPerPage` 64-bit words of content
/// (the first bytes of the page), enough to check confidentiality and scrubbing.
public struct MachineConfig: Hashable, Sendable {
    public static let pageShift: UInt64 = 12
    public static let pageSize: UInt64 = 1 << pageShift
    /// Pages covered by a block mapping at the second-to-last level (2 MiB).
    public static let blockPages: UInt64 = 512

    // Limits that keep every allocation bounded whatever a trace header says.
    public static let maxCPUs = 4096
    public static let maxPhysicalPages = 1 << 22
    public static let maxWordsPerPage = 512
    public static let maxContentWords = 1 << 26
    /// pKVM's KVM_MAX_PVMS.
    public static let maxVMs = 255
    /// KVM's KVM_MAX_VCPUS on arm64.
    public static let maxVCPUsPerVM = 512

    public var cpus: Int
    public var physicalPages: Int
    public var wordsPerPage: Int
    /// Stage-2 translation levels, 2 to 4.
    public var pageTableLevels: Int
    public var vms: [VMConfig]
    /// Pages [0, reservedHypPages) belong to the hypervisor at boot (its own
    /// page tables, metadata, and the pool the self-test draws from). Every
    /// other page starts owned by the host and not yet mapped in its stage 2.
    public var reservedHypPages: Int

    public init(
        cpus: Int,
        physicalPages: Int,
        wordsPerPage: Int = 4,
        pageTableLevels: Int = 3,
        vms: [VMConfig] = [],
        reservedHypPages: Int = 0
    ) {
        self.cpus = cpus
        self.physicalPages = physicalPages
        self.wordsPerPage = wordsPerPage
        self.pageTableLevels = pageTableLevels
        self.vms = vms
        self.reservedHypPages = reservedHypPages
    }

    /// Bits of the stage-2 input address space (host IPA = PA, and each
    /// guest's IPA): 12 + 9 per level with 4 KiB pages and no concatenated
    /// root tables, i.e. 30, 39 or 48 bits.
    public var ipaBits: UInt64 { MachineConfig.pageShift + 9 * UInt64(pageTableLevels) }

    /// Pages in the stage-2 input address space; also pKVM's
    /// `pfn_range_is_valid` limit.
    public var addressSpacePages: UInt64 { 1 << (ipaBits - MachineConfig.pageShift) }

    /// Rejects a configuration Spec cannot model, naming the field and value.
    public func validate() throws(ConfigError) {
        guard (1...MachineConfig.maxCPUs).contains(cpus) else {
            throw .outOfRange(field: "cpus", value: Int64(cpus), allowed: "1...\(MachineConfig.maxCPUs)")
        }
        guard (2...4).contains(pageTableLevels) else {
            throw .outOfRange(field: "page_table_levels", value: Int64(pageTableLevels), allowed: "2...4")
        }
        guard (1...MachineConfig.maxPhysicalPages).contains(physicalPages) else {
            throw .outOfRange(
                field: "physical_pages", value: Int64(physicalPages), allowed: "1...\(MachineConfig.maxPhysicalPages)")
        }
        guard UInt64(physicalPages) <= addressSpacePages else {
            throw .outOfRange(
                field: "physical_pages", value: Int64(physicalPages),
                allowed: "at most \(addressSpacePages) with \(pageTableLevels) levels")
        }
        guard (1...MachineConfig.maxWordsPerPage).contains(wordsPerPage) else {
            throw .outOfRange(
                field: "words_per_page", value: Int64(wordsPerPage), allowed: "1...\(MachineConfig.maxWordsPerPage)")
        }
        guard physicalPages * wordsPerPage <= MachineConfig.maxContentWords else {
            throw .outOfRange(
                field: "physical_pages * words_per_page", value: Int64(physicalPages * wordsPerPage),
                allowed: "at most \(MachineConfig.maxContentWords)")
        }
        guard (0...physicalPages).contains(reservedHypPages) else {
            throw .outOfRange(
                field: "reserved_hyp_pages", value: Int64(reservedHypPages), allowed: "0...\(physicalPages)")
        }
        guard vms.count <= MachineConfig.maxVMs else {
            throw .outOfRange(field: "vms", value: Int64(vms.count), allowed: "at most \(MachineConfig.maxVMs)")
        }
        for (index, vm) in vms.enumerated() where !(1...MachineConfig.maxVCPUsPerVM).contains(vm.vcpus) {
            throw .outOfRange(
                field: "vms[\(index)].vcpus", value: Int64(vm.vcpus), allowed: "1...\(MachineConfig.maxVCPUsPerVM)")
        }
    }
}

/// One VM of the configuration.
public struct VMConfig: Hashable, Sendable {
    public var vcpus: Int
    /// A protected VM: memory is donated to it (the host loses access) rather
    /// than shared, and it may share pages back with the host itself.
    public var isProtected: Bool

    public init(vcpus: Int, isProtected: Bool) {
        self.vcpus = vcpus
        self.isProtected = isProtected
    }
}

/// Why a configuration was rejected.
public enum ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    case outOfRange(field: String, value: Int64, allowed: String)

    public var description: String {
        switch self {
        case let .outOfRange(field, value, allowed):
            return "machine configuration: \(field) = \(value) is out of range (allowed: \(allowed))"
        }
    }
}
