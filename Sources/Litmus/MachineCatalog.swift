import MemoryModel

/// The machines `--model` can name.
public enum MachineCatalog {
    public static let names = ["sc"]

    public static func machine(named name: String) -> (any MemoryMachine)? {
        switch name {
        case "sc": return SCMachine()
        default: return nil
        }
    }
}
