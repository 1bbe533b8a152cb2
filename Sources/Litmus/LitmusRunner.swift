import MemoryModel

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of running one litmus test on one machine.
public struct LitmusResult: Sendable {
    public var file: String
    public var name: String
    public var condition: FinalCondition
    /// The final states as herd prints them (shown locations only), sorted.
    public var states: [String]
    /// Shown final states where the condition's predicate holds / does not hold.
    public var positive: Int
    public var negative: Int
    public var executions: Int
    public var boundReached: Bool
    public var seconds: Double
    /// The model flags some consistent execution raised (herd's `Flag NAME`
    /// lines), sorted by name.
    public var flags: [ModelFlag]

    public init(file: String, name: String, condition: FinalCondition, states: [String], positive: Int,
                negative: Int, executions: Int, boundReached: Bool, seconds: Double, flags: [ModelFlag] = []) {
        self.flags = flags
        self.file = file
        self.name = name
        self.condition = condition
        self.states = states
        self.positive = positive
        self.negative = negative
        self.executions = executions
        self.boundReached = boundReached
        self.seconds = seconds
    }

    /// Whether the predicate is reachable, whatever the quantifier.
    public var allowed: Bool { positive > 0 }

    /// herd's "Ok": the test's own quantifier is satisfied.
    public var ok: Bool {
        switch condition.quantifier {
        case .exists: return positive > 0
        case .notExists: return positive == 0
        case .forall: return negative == 0
        }
    }
}

/// A test the runner could not run: unreadable, unsupported, or refused by the machine.
public struct LitmusFailure: Error, Sendable {
    public var file: String
    public var name: String?
    public var message: String

    public init(file: String, name: String?, message: String) {
        self.file = file
        self.name = name
        self.message = message
    }
}

/// Runs litmus tests on a memory machine.
public struct LitmusRunner: Sendable {
    public var machine: any MemoryMachine
    /// herd `-variant` flags applied to every test (see `LitmusTest.apply`).
    public var variants: [String]

    public init(machine: any MemoryMachine, variants: [String] = []) {
        self.machine = machine
        self.variants = variants
    }

    /// Parses, compiles and runs the test in `text`.
    public func run(text: String, file: String, variants extra: [String] = []) -> Result<LitmusResult, LitmusFailure> {
        var test: LitmusTest
        do { test = try LitmusFile.parse(text, file: file) }
        catch { return .failure(LitmusFailure(file: file, name: nil, message: error.description)) }
        test.apply(variants: variants + extra)
        return run(test)
    }

    public func run(_ test: LitmusTest) -> Result<LitmusResult, LitmusFailure> {
        let start = Clock.now
        do {
            let compiled: CompiledTest
            do { compiled = try test.compile() }
            catch { throw LitmusFailure(file: test.file, name: test.name, message: error.description) }
            let exploration: Exploration
            do { exploration = try machine.explore(compiled.program) }
            catch { throw LitmusFailure(file: test.file, name: test.name, message: "\(machine.name): \(error)") }
            // States as shown (the locations the test names); the predicate
            // only reads shown locations, so it is a function of the shown state.
            var shown: [String: Bool] = [:]
            for state in exploration.finalStates {
                do {
                    if let f = test.filter, !(try compiled.holds(f, in: state)) { continue }
                    shown[try compiled.show(state)] = try compiled.holds(test.condition.predicate, in: state)
                } catch { throw LitmusFailure(file: test.file, name: test.name, message: error.description) }
            }
            let positive = shown.values.filter { $0 }.count
            return .success(LitmusResult(
                file: test.file, name: test.name, condition: test.condition,
                states: shown.keys.sorted(), positive: positive,
                negative: shown.count - positive,
                executions: exploration.executions, boundReached: exploration.boundReached,
                seconds: Clock.now - start, flags: exploration.flags.sorted()))
        } catch let failure as LitmusFailure {
            return .failure(failure)
        } catch {
            return .failure(LitmusFailure(file: test.file, name: test.name, message: "\(error)"))
        }
    }
}

/// Monotonic seconds, for the Time line.
enum Clock {
    static var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
