import MemoryModel

/// The machines `--model` can name.
public enum MachineCatalog {
    public static let names = ["arm", "sc"]

    public static func machine(named name: String) -> (any MemoryMachine)? {
        switch name {
        case "arm": return ArmMachine()
        case "sc": return SCMachine()
        default: return nil
        }
    }
}
