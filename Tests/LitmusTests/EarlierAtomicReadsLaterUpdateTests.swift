import Litmus
import MemoryModel
import XCTest

/// A descriptor's hardware update (HD) made for a po-later store may come
/// coherence-before an earlier SWP of the same descriptor, the SWP then
/// reading it (its rmw read's source, po-later but implicit: no internal
/// axiom forbids it). The explorer only offers such a read the update's
/// value by promise, so the value must be a candidate even though every
/// branch that first makes the update (with the SWP reading older) fails.
final class EarlierAtomicReadsLaterUpdateTests: XCTestCase {
    static let text = """
        AArch64 SWP-then-dirty
        TTHM=HD
        {
        int x=0; int z=0;
        0:X3=pte_x;
        pte_x=(oa:phy_x, db:0, dbm:1);
        0:X4=(oa:phy_z, db:0, dbm:1);
        0:X6=x;
        }
         P0             ;
         SWP X4,X5,[X3] ;
         MOV W7,#2      ;
         STR W7,[X6]    ;
        locations [0:X5;]
        exists (x=2 /\\ pte_x=(oa:phy_z, db:0, dbm:1))
        """

    /// herd (aarch64.cat) allows it; SC cannot (the store's walk would follow the SWP).
    func testTheSWPCanReadTheStoresDirtyUpdate() throws {
        let arm = try InlineTestRunning.run(Self.text, variants: ["vmsa"])
        XCTAssertTrue(arm.allowed)
        // The witness: the SWP returned the descriptor the update made dirty.
        XCTAssertTrue(arm.states.contains { $0.hasPrefix("0:X5=") && $0.contains("x=2;") }, "\(arm.states)")
        let sc = try InlineTestRunning.run(Self.text, variants: ["vmsa"], on: SCMachine())
        XCTAssertFalse(sc.allowed)
    }
}
