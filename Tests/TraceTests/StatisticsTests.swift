import XCTest

@testable import Trace

final class StatisticsTests: XCTestCase {
    func testCountsAgreeWithTheEvents() {
        let events = RandomEvents.events(count: 5_000, seed: 31)
        var statistics = TraceStatistics()
        events.forEach { statistics.add($0) }
        XCTAssertEqual(statistics.events, 5_000)
        XCTAssertEqual(statistics.byKind.values.reduce(0, +), 5_000)
        XCTAssertEqual(statistics.byCPU.values.reduce(0, +), 5_000)
        XCTAssertEqual(statistics.byPrincipal.values.reduce(0, +), 5_000)
        XCTAssertEqual(statistics.byKind.count, 17, "every kind is generated and named")
        let hypercalls = events.filter { if case .hypercall = $0.kind { true } else { false } }.count
        XCTAssertEqual(statistics.byKind["hypercall"], hypercalls)
        XCTAssertEqual(statistics.byHypercall.values.reduce(0, +), hypercalls)
        let timed = events.filter(\.hasTime)
        XCTAssertEqual(statistics.timeSpan?.lowerBound, timed.map(\.time.startNs).min())
        XCTAssertEqual(statistics.timeSpan?.upperBound, timed.map(\.time.endNs).max())
    }
}
