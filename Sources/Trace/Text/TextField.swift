/// One `key=value` field of a text-form record: how to print it from the
/// message and how to set it from text. Printing and parsing share this one
/// description, so the two cannot drift apart.
struct TextField<Message>: Sendable {
    let key: String
    /// The value's text, or nil to leave the field out (it has its default).
    let format: @Sendable (Message) -> String?
    /// Sets the field; returns a description of the expected form on failure.
    let parse: @Sendable (inout Message, Substring) -> String?

    /// A number printed in hexadecimal (addresses, values).
    static func hex(_ key: String, _ path: any WritableKeyPath<Message, UInt64> & Sendable, always: Bool = false) -> Self {
        Self(
            key: key,
            format: { always || $0[keyPath: path] != 0 ? TextValues.hex($0[keyPath: path]) : nil },
            parse: { message, text in
                guard let value = TextValues.parseUInt64(text) else { return "a 64-bit unsigned number" }
                message[keyPath: path] = value
                return nil
            })
    }

    /// A 64-bit number printed in decimal (sequence numbers, sizes).
    static func decimal(_ key: String, _ path: any WritableKeyPath<Message, UInt64> & Sendable, always: Bool = false) -> Self {
        Self(
            key: key,
            format: { always || $0[keyPath: path] != 0 ? String($0[keyPath: path]) : nil },
            parse: { message, text in
                guard let value = TextValues.parseUInt64(text) else { return "a 64-bit unsigned number" }
                message[keyPath: path] = value
                return nil
            })
    }

    /// A 32-bit number printed in decimal (CPU, VM and vCPU numbers, widths).
    static func decimal(_ key: String, _ path: any WritableKeyPath<Message, UInt32> & Sendable, always: Bool = false) -> Self {
        Self(
            key: key,
            format: { always || $0[keyPath: path] != 0 ? String($0[keyPath: path]) : nil },
            parse: { message, text in
                guard let value = TextValues.parseUInt32(text) else { return "a 32-bit unsigned number" }
                message[keyPath: path] = value
                return nil
            })
    }

    /// An enum value by its word; UNSPECIFIED is left out.
    /// (An undefined number prints as itself and parses back, so that the
    /// validator, not the text syntax, reports it.)
    static func name<Value: RawRepresentable>(
        _ key: String, _ path: any WritableKeyPath<Message, Value> & Sendable, _ names: TextNames<Value>
    ) -> Self where Value.RawValue == Int {
        Self(
            key: key,
            format: { message in
                let value = message[keyPath: path]
                return names.name(value) ?? (value.rawValue == 0 ? nil : String(value.rawValue))
            },
            parse: { message, text in
                if let value = names.value(String(text)) {
                    message[keyPath: path] = value
                    return nil
                }
                if let number = Int(text), let value = Value(rawValue: number) {
                    message[keyPath: path] = value
                    return nil
                }
                return "one of " + names.allNames.joined(separator: ", ")
            })
    }

    static func flag(_ key: String, _ path: any WritableKeyPath<Message, Bool> & Sendable) -> Self {
        Self(
            key: key,
            format: { $0[keyPath: path] ? "true" : nil },
            parse: { message, text in
                switch text {
                case "true": message[keyPath: path] = true
                case "false": message[keyPath: path] = false
                default: return "true or false"
                }
                return nil
            })
    }

    static func string(_ key: String, _ path: any WritableKeyPath<Message, String> & Sendable) -> Self {
        Self(
            key: key,
            format: { $0[keyPath: path].isEmpty ? nil : TextValues.quote($0[keyPath: path]) },
            parse: { message, text in
                guard let value = TextValues.unquote(text) else { return "a double-quoted string" }
                message[keyPath: path] = value
                return nil
            })
    }
}
