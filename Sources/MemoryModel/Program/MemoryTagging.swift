/// FEAT_MTE (herd's `memtag` variant): every 16-byte granule of memory has
/// an allocation tag, and a pointer carries a logical tag in bits [59:56]
/// (above the address, which Top Byte Ignore leaves out of translation).
/// A load or store through a pointer is Tag Checked: the allocation tag of
/// its granule is read (an Imp & Tag & R event) and compared with the
/// pointer's logical tag; a mismatch is a TagCheck fault.
///
/// Tags live in their own locations, never the same as a data location
/// (aarch64loc.cat: `[Tag & M]; loc; [Tag & M]` only): the tag of the
/// granule at physical address `pa` is the location
/// `MemoryTagging.location(ofGranuleAt: pa)`, a word whose value is the tag.
/// Absent from initial memory means tag 0, herd's default colour (green).
///
/// With translation (herd's `vmsa`) the pointer's untagged address is
/// translated first and the tag of the physical granule is checked (herd's
/// `lift_memtag_phy`); STG/STZG are translated as stores. herd's newest
/// semantics check only pages whose descriptor has the TaggedNormal memory
/// attribute; hvdiff's descriptors carry no memory attributes (the parser
/// rejects a `TaggedNormal` descriptor field), so under `memtag` every page
/// is taken to be Tagged Normal, as a memtag test's accesses are meant to be
/// checked.
public enum MemoryTagging {
    /// Bytes one allocation tag covers.
    public static let granule: UInt64 = 16
    /// Tag locations are tagged by bit 63, which no data address has.
    static let tagSpace: UInt64 = 1 << 63

    /// The logical tag a pointer carries (bits [59:56]).
    @inlinable public static func logicalTag(of pointer: UInt64) -> UInt64 { (pointer >> 56) & 0xF }

    /// The address without its top byte (Top Byte Ignore): what is translated.
    @inlinable public static func untagged(_ pointer: UInt64) -> UInt64 { pointer & 0x00FF_FFFF_FFFF_FFFF }

    /// `pointer` with its logical tag replaced by `tag` (LDG).
    @inlinable public static func withLogicalTag(_ pointer: UInt64, _ tag: UInt64) -> UInt64 {
        pointer & ~(0xF << 56) | (tag & 0xF) << 56
    }

    /// The location holding the allocation tag of the granule at `pa`.
    public static func location(ofGranuleAt pa: UInt64) -> UInt64 { tagSpace | (pa & ~(granule - 1)) }

    /// herd's tag colours, by tag value: `x:green` is x with logical tag 0
    /// (the default allocation tag), `x:red` tag 1, and so on.
    public static let colours = ["green", "red", "blue", "black", "white", "yellow", "orange", "purple",
                                 "brown", "grey", "pink", "cyan", "magenta", "violet", "gold", "silver"]

    /// The tag value a colour name stands for, if it is one.
    public static func tag(ofColour name: String) -> UInt64? {
        colours.firstIndex(of: name.lowercased()).map(UInt64.init)
    }
}
