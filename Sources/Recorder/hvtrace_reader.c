/*
 * The streaming reader. Compressed input is read in large chunks into a fixed
 * buffer and decompressed into a fixed window that always has room for the
 * largest valid record, so every record is contiguous for protobuf-c without
 * copying, and memory does not grow with the trace. Each event is unpacked
 * into an arena the reader reuses (see hvtrace_arena.c).
 *
 * Every byte of the file is treated as hostile: lengths are checked before
 * they are used, nothing is allocated from a length read from the file, and
 * every failure is an error naming the file, the offset and the event.
 */
/* For open, read, close, posix_fadvise. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "hvtrace_internal.h"

/* Compressed bytes per read(2). */
#define INPUT_BYTES (1u << 20)
/* Decompressed window. It holds the unread tail of a record (under 1 MiB)
 * plus a whole frame as the writers cut them (at most 4 MiB + one record
 * + one 128 KiB batch), so a frame is decoded and its checksum verified
 * before any of its events is returned: a corrupt frame yields an error, not
 * wrong events. A larger frame from some other writer still reads, but
 * streamed without that guarantee. */
#define OUTPUT_BYTES (8u << 20)
/* zstd window limit (16 MiB): bounds the decoder's memory against a hostile
 * frame header; level 3 uses 2 MiB. */
#define WINDOW_LOG_MAX 24
/* The arena's reused block: fits any ordinary event. */
#define ARENA_BYTES (64u * 1024u)

/* zstd frame magics (RFC 8878). */
#define ZSTD_FRAME_MAGIC 0xFD2FB528u
#define SKIPPABLE_MAGIC_MASK 0xFFFFFFF0u
#define SKIPPABLE_MAGIC 0x184D2A50u
/* Frame_Header_Descriptor bit 2: Content_Checksum_flag. */
#define CHECKSUM_FLAG 0x04u

_Static_assert(OUTPUT_BYTES >= HVTRACE_MAX_RECORD_BYTES + HVTRACE_MAX_VARINT_BYTES,
               "the window must hold a maximal record");

struct hvtrace_reader {
    int fd;
    char *path;
    ZSTD_DCtx *dctx;
    /* Compressed input: in[in_pos..in_end) not yet given to zstd. */
    uint8_t *in;
    size_t in_pos, in_end;
    uint64_t in_offset; /* file offset of in[0] */
    bool eof;
    /* The decoder is between frames (also before the first). */
    bool between_frames;
    uint64_t frame_offset; /* file offset of the current (or last) frame */
    /* Decompressed bytes: out[out_pos..out_end) not yet consumed. */
    uint8_t *out;
    size_t out_pos, out_end;
    uint64_t out_offset; /* decompressed offset of out[0] */
    uint64_t events;     /* events returned so far */
    Hvdiff__Trace__Header *header;
    /* hvdiff's trace-level rules (CPUs, VMs, sequence numbers, ...). */
    hvtrace_rules rules;
    hvtrace_arena arena;
    ProtobufCAllocator allocator;
    bool failed;
    hvtrace_error error;
};

static int fail(hvtrace_reader *r, hvtrace_status code, int sys_errno,
                const char *format, ...) HVTRACE_PRINTF(4, 5);

/* Records the reader's error ("path: " + message); later calls repeat it. */
static int fail(hvtrace_reader *r, hvtrace_status code, int sys_errno,
                const char *format, ...)
{
    char what[400];
    va_list args;
    va_start(args, format);
    (void)vsnprintf(what, sizeof what, format, args);
    va_end(args);
    hvtrace_set_error(&r->error, code, sys_errno, "%s: %s", r->path, what);
    r->failed = true;
    return -1;
}

/* Names the record being read: "the header" or "event N". */
static void record_name(const hvtrace_reader *r, char *buf, size_t size)
{
    if (r->header == NULL)
        (void)snprintf(buf, size, "the header record");
    else
        (void)snprintf(buf, size, "event %llu", (unsigned long long)r->events);
}

static uint64_t compressed_offset(const hvtrace_reader *r)
{
    return r->in_offset + r->in_pos;
}

/* Reads more compressed input, keeping the unconsumed bytes. */
static int read_input(hvtrace_reader *r)
{
    if (r->in_pos > 0) {
        memmove(r->in, r->in + r->in_pos, r->in_end - r->in_pos);
        r->in_offset += r->in_pos;
        r->in_end -= r->in_pos;
        r->in_pos = 0;
    }
    while (r->in_end < INPUT_BYTES) {
        ssize_t n = read(r->fd, r->in + r->in_end, INPUT_BYTES - r->in_end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            char buf[128];
            return fail(r, HVTRACE_ERR_IO, e, "read failed at file offset %llu: %s",
                        (unsigned long long)(r->in_offset + r->in_end),
                        hvtrace_strerror(e, buf, sizeof buf));
        }
        if (n == 0)
            r->eof = true;
        r->in_end += (size_t)n;
        /* One successful read is enough; do not wait to fill the buffer. */
        return 0;
    }
    return 0;
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* At the start of a frame (at least 5 bytes available): the format requires
 * content checksums, so that corruption is detected, not decoded. */
static int check_frame_start(hvtrace_reader *r)
{
    const uint8_t *p = r->in + r->in_pos;
    uint32_t magic = load_le32(p);
    if (magic == ZSTD_FRAME_MAGIC) {
        if ((p[4] & CHECKSUM_FLAG) == 0)
            return fail(r, HVTRACE_ERR_FORMAT, 0,
                        "zstd frame at file offset %llu has no content checksum "
                        "(hvdiff traces require one in every frame)",
                        (unsigned long long)r->frame_offset);
        return 0;
    }
    if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC)
        return 0;
    return fail(r, HVTRACE_ERR_FORMAT, 0,
                "no zstd frame at file offset %llu (bytes %02x %02x %02x %02x; "
                "%llu events read)",
                (unsigned long long)r->frame_offset, p[0], p[1], p[2], p[3],
                (unsigned long long)r->events);
}

/* Where the decoder is, for frame-level errors: a frame is decoded as far as
 * the window allows before its records are parsed, so the damage may lie
 * ahead of the last event returned. */
static void decoder_position(const hvtrace_reader *r, char *buf, size_t size)
{
    (void)snprintf(buf, size, "%llu bytes decompressed and %llu events read before it",
                   (unsigned long long)(r->out_offset + r->out_end),
                   (unsigned long long)r->events);
}

static int zstd_error(hvtrace_reader *r, size_t code)
{
    ZSTD_ErrorCode which = ZSTD_getErrorCode(code);
    const char *meaning = "corrupt zstd data";
    if (which == ZSTD_error_checksum_wrong)
        meaning = "checksum mismatch, the frame's data is corrupt";
    else if (which == ZSTD_error_frameParameter_windowTooLarge)
        meaning = "the frame needs a window larger than the reader's 16 MiB limit";
    char where[160];
    decoder_position(r, where, sizeof where);
    return fail(r, HVTRACE_ERR_FORMAT, 0, "%s in the zstd frame at file offset %llu (%s): zstd: %s",
                meaning, (unsigned long long)r->frame_offset, where, ZSTD_getErrorName(code));
}

/*
 * Makes at least need decompressed bytes available at out + out_pos, and
 * decodes ahead to the end of the current frame as far as the window allows
 * (see OUTPUT_BYTES). Returns 1 if the bytes are there, 0 if the zstd stream
 * ended first or inside a frame (the caller tells a clean end from a
 * truncation by r->between_frames), -1 on error.
 */
static int fill(hvtrace_reader *r, size_t need)
{
    if (r->out_end - r->out_pos >= need)
        return 1;
    if (OUTPUT_BYTES - r->out_pos < need) {
        memmove(r->out, r->out + r->out_pos, r->out_end - r->out_pos);
        r->out_offset += r->out_pos;
        r->out_end -= r->out_pos;
        r->out_pos = 0;
    }
    while (r->out_end - r->out_pos < need ||
           (!r->between_frames && r->out_end < OUTPUT_BYTES)) {
        if (r->in_pos == r->in_end && !r->eof) {
            if (read_input(r) != 0)
                return -1;
            continue;
        }
        if (r->between_frames) {
            if (r->in_pos == r->in_end)
                return 0; /* the stream ends at a frame boundary */
            if (r->in_end - r->in_pos < 5 && !r->eof) {
                if (read_input(r) != 0)
                    return -1;
                continue;
            }
            r->frame_offset = compressed_offset(r);
            /* Fewer than 5 bytes at the end of the file are a truncated
             * frame header; zstd's decoder reports that below. */
            if (r->in_end - r->in_pos >= 5 && check_frame_start(r) != 0)
                return -1;
        }
        ZSTD_inBuffer in = { r->in, r->in_end, r->in_pos };
        ZSTD_outBuffer out = { r->out, OUTPUT_BYTES, r->out_end };
        size_t hint = ZSTD_decompressStream(r->dctx, &out, &in);
        if (ZSTD_isError(hint))
            return zstd_error(r, hint);
        int progress = in.pos != r->in_pos || out.pos != r->out_end;
        r->in_pos = in.pos;
        r->out_end = out.pos;
        r->between_frames = hint == 0;
        if (!progress) {
            if (r->in_pos == r->in_end && r->eof)
                return 0; /* the file ends inside a frame */
            if (r->in_pos < r->in_end)
                return fail(r, HVTRACE_ERR_FORMAT, 0,
                            "zstd made no progress at compressed offset %llu",
                            (unsigned long long)compressed_offset(r));
        }
    }
    return 1;
}

static int truncated_frame(hvtrace_reader *r)
{
    char where[160];
    decoder_position(r, where, sizeof where);
    return fail(r, HVTRACE_ERR_FORMAT, 0,
                "truncated: the file ends at offset %llu inside the zstd frame that starts "
                "at file offset %llu (%s)", (unsigned long long)compressed_offset(r),
                (unsigned long long)r->frame_offset, where);
}

/*
 * Reads one record's bytes. Returns 1 (data, size and offset set), 0 at the
 * clean end of the stream, -1 on error. data stays valid until the next
 * fill.
 */
static int read_record(hvtrace_reader *r, const uint8_t **data, size_t *size,
                       uint64_t *offset)
{
    int got = fill(r, 1);
    if (got < 0)
        return -1;
    if (got == 0)
        return r->between_frames ? 0 : truncated_frame(r);

    uint64_t length = 0;
    size_t prefix = 0;
    for (;;) {
        size_t available = r->out_end - r->out_pos;
        hvtrace_varint_result v =
            hvtrace_decode_varint(r->out + r->out_pos, available, &length, &prefix);
        if (v == HVTRACE_VARINT_OK)
            break;
        char name[48];
        record_name(r, name, sizeof name);
        if (v == HVTRACE_VARINT_OVERLONG)
            return fail(r, HVTRACE_ERR_FORMAT, 0,
                        "the length of %s at decompressed offset %llu is not a valid "
                        "varint (more than 10 bytes or 64 bits)",
                        name, (unsigned long long)(r->out_offset + r->out_pos));
        got = fill(r, available + 1);
        if (got < 0)
            return -1;
        if (got == 0) {
            if (!r->between_frames)
                return truncated_frame(r);
            return fail(r, HVTRACE_ERR_FORMAT, 0,
                        "truncated: the zstd stream ends inside the length of %s at "
                        "decompressed offset %llu",
                        name, (unsigned long long)(r->out_offset + r->out_pos));
        }
    }

    uint64_t start = r->out_offset + r->out_pos;
    if (length > HVTRACE_MAX_RECORD_BYTES) {
        char name[48];
        record_name(r, name, sizeof name);
        return fail(r, HVTRACE_ERR_FORMAT, 0,
                    "%s at decompressed offset %llu (zstd frame at file offset %llu) "
                    "claims %llu bytes, more than the %u-byte record limit",
                    name, (unsigned long long)start, (unsigned long long)r->frame_offset,
                    (unsigned long long)length, HVTRACE_MAX_RECORD_BYTES);
    }
    got = fill(r, prefix + (size_t)length);
    if (got < 0)
        return -1;
    if (got == 0) {
        if (!r->between_frames)
            return truncated_frame(r);
        char name[48];
        record_name(r, name, sizeof name);
        return fail(r, HVTRACE_ERR_FORMAT, 0,
                    "truncated: the zstd stream ends inside %s at decompressed offset "
                    "%llu, which claims %llu bytes but only %zu follow",
                    name, (unsigned long long)start, (unsigned long long)length,
                    r->out_end - r->out_pos - prefix);
    }
    *data = r->out + r->out_pos + prefix;
    *size = (size_t)length;
    *offset = start;
    r->out_pos += prefix + (size_t)length;
    return 1;
}

static int read_preamble(hvtrace_reader *r)
{
    while (r->in_end < HVTRACE_PREAMBLE_BYTES && !r->eof)
        if (read_input(r) != 0)
            return -1;
    size_t n = r->in_end < HVTRACE_MAGIC_BYTES ? r->in_end : HVTRACE_MAGIC_BYTES;
    if (n < HVTRACE_MAGIC_BYTES || memcmp(r->in, hvtrace_magic, n) != 0) {
        char seen[3 * HVTRACE_MAGIC_BYTES + 1] = "";
        for (size_t i = 0; i < n; i++)
            (void)snprintf(seen + 3 * i, sizeof seen - 3 * i, "%02x ", r->in[i]);
        if (n > 0)
            seen[3 * n - 1] = '\0';
        if (n == r->in_end && memcmp(r->in, hvtrace_magic, n) == 0)
            return fail(r, HVTRACE_ERR_FORMAT, 0,
                        "truncated: the file is %zu bytes, shorter than the 12-byte preamble",
                        r->in_end);
        return fail(r, HVTRACE_ERR_FORMAT, 0,
                    "not an hvdiff trace: wrong magic at file offset 0 (bytes %s, expected "
                    "48 56 54 52 41 43 45 0a, \"HVTRACE\\n\")", seen);
    }
    if (r->in_end < HVTRACE_PREAMBLE_BYTES)
        return fail(r, HVTRACE_ERR_FORMAT, 0,
                    "truncated: the file is %zu bytes, shorter than the 12-byte preamble",
                    r->in_end);
    uint32_t version = load_le32(r->in + HVTRACE_MAGIC_BYTES);
    if (version != HVTRACE_FILE_VERSION)
        return fail(r, HVTRACE_ERR_FORMAT, 0,
                    "unknown file format version %u at file offset 8 (this reader "
                    "knows version %u)", version, HVTRACE_FILE_VERSION);
    r->in_pos = HVTRACE_PREAMBLE_BYTES;
    return 0;
}

static int read_header(hvtrace_reader *r)
{
    const uint8_t *data;
    size_t size;
    uint64_t offset;
    int got = read_record(r, &data, &size, &offset);
    if (got < 0)
        return -1;
    if (got == 0)
        return fail(r, HVTRACE_ERR_FORMAT, 0,
                    "no header record: the zstd stream after the preamble holds no records");
    /* Unpacked with malloc: the header lives as long as the reader. */
    r->header = (Hvdiff__Trace__Header *)protobuf_c_message_unpack(
        &hvdiff__trace__header__descriptor, NULL, size, data);
    if (r->header == NULL)
        return fail(r, HVTRACE_ERR_RECORD, 0,
                    "the header record (%zu bytes at decompressed offset %llu) does not "
                    "unpack as hvdiff.trace.Header",
                    size, (unsigned long long)offset);
    char problem[300];
    if (hvtrace_validate_message(&r->header->base, problem, sizeof problem) != 0)
        return fail(r, HVTRACE_ERR_RECORD, 0, "invalid header record: %s", problem);
    if (r->header->format_version != HVTRACE_SCHEMA_VERSION)
        return fail(r, HVTRACE_ERR_RECORD, 0,
                    "header format_version %u is unknown (this reader knows version %u)",
                    r->header->format_version, HVTRACE_SCHEMA_VERSION);
    if (hvtrace_rules_check_header(r->header, problem, sizeof problem) != 0)
        return fail(r, HVTRACE_ERR_RECORD, 0, "invalid header record: %s", problem);
    if (hvtrace_rules_init(&r->rules, r->header) != 0)
        return fail(r, HVTRACE_ERR_NOMEM, 0, "out of memory");
    return 0;
}

void hvtrace_reader_close(hvtrace_reader *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        (void)close(r->fd);
    if (r->header != NULL)
        protobuf_c_message_free_unpacked(&r->header->base, NULL);
    hvtrace_rules_destroy(&r->rules);
    hvtrace_arena_destroy(&r->arena);
    ZSTD_freeDCtx(r->dctx);
    free(r->in);
    free(r->out);
    free(r->path);
    free(r);
}

hvtrace_reader *hvtrace_reader_open(const char *path, hvtrace_error *err)
{
    if (path == NULL) {
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0, "hvtrace_reader_open: path is NULL");
        return NULL;
    }
    hvtrace_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        hvtrace_set_error(err, HVTRACE_ERR_NOMEM, 0, "%s: out of memory", path);
        return NULL;
    }
    r->fd = -1;
    r->between_frames = true;
    r->path = strdup(path);
    r->dctx = ZSTD_createDCtx();
    r->in = malloc(INPUT_BYTES);
    r->out = malloc(OUTPUT_BYTES);
    int arena_ok = hvtrace_arena_init(&r->arena, ARENA_BYTES) == 0;
    if (r->path == NULL || r->dctx == NULL || r->in == NULL || r->out == NULL || !arena_ok) {
        hvtrace_set_error(err, HVTRACE_ERR_NOMEM, 0, "%s: out of memory", path);
        hvtrace_reader_close(r);
        return NULL;
    }
    r->allocator = hvtrace_arena_allocator(&r->arena);
    size_t set = ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, WINDOW_LOG_MAX);
    if (ZSTD_isError(set)) {
        hvtrace_set_error(err, HVTRACE_ERR_FORMAT, 0, "%s: zstd: %s", path,
                          ZSTD_getErrorName(set));
        hvtrace_reader_close(r);
        return NULL;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        char buf[128];
        hvtrace_set_error(err, HVTRACE_ERR_IO, e, "%s: cannot open: %s", path,
                          hvtrace_strerror(e, buf, sizeof buf));
        hvtrace_reader_close(r);
        return NULL;
    }
    /* Only a hint; reading is sequential. */
    (void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (read_preamble(r) != 0 || read_header(r) != 0) {
        hvtrace_copy_error(err, &r->error);
        hvtrace_reader_close(r);
        return NULL;
    }
    return r;
}

const Hvdiff__Trace__Header *hvtrace_reader_header(const hvtrace_reader *r)
{
    return r != NULL ? r->header : NULL;
}

uint64_t hvtrace_reader_event_count(const hvtrace_reader *r)
{
    return r != NULL ? r->events : 0;
}

int hvtrace_reader_next(hvtrace_reader *r, const Hvdiff__Trace__Event **out,
                        hvtrace_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (r == NULL || out == NULL) {
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0, "hvtrace_reader_next: %s is NULL",
                          r == NULL ? "reader" : "out");
        return -1;
    }
    if (r->failed) {
        hvtrace_copy_error(err, &r->error);
        return -1;
    }
    /* Releases the previous event. */
    hvtrace_arena_reset(&r->arena);
    const uint8_t *data;
    size_t size;
    uint64_t offset;
    int got = read_record(r, &data, &size, &offset);
    if (got <= 0) {
        if (got < 0)
            hvtrace_copy_error(err, &r->error);
        return got;
    }
    Hvdiff__Trace__Event *event = (Hvdiff__Trace__Event *)protobuf_c_message_unpack(
        &hvdiff__trace__event__descriptor, &r->allocator, size, data);
    if (event == NULL) {
        fail(r, HVTRACE_ERR_RECORD, 0,
             "event %llu (%zu bytes at decompressed offset %llu, zstd frame at file "
             "offset %llu) does not unpack as hvdiff.trace.Event: malformed protobuf",
             (unsigned long long)r->events, size, (unsigned long long)offset,
             (unsigned long long)r->frame_offset);
        hvtrace_copy_error(err, &r->error);
        return -1;
    }
    char problem[300];
    if (hvtrace_validate_event(event, problem, sizeof problem) != 0 ||
        hvtrace_rules_check_event(&r->rules, event, problem, sizeof problem) != 0) {
        fail(r, HVTRACE_ERR_RECORD, 0,
             "event %llu (at decompressed offset %llu, zstd frame at file offset %llu) "
             "is invalid: %s",
             (unsigned long long)r->events, (unsigned long long)offset,
             (unsigned long long)r->frame_offset, problem);
        hvtrace_copy_error(err, &r->error);
        return -1;
    }
    r->events++;
    *out = event;
    return 1;
}

int64_t hvtrace_count_events(const char *path, hvtrace_error *err)
{
    hvtrace_reader *r = hvtrace_reader_open(path, err);
    if (r == NULL)
        return -1;
    const Hvdiff__Trace__Event *event;
    int got;
    while ((got = hvtrace_reader_next(r, &event, err)) == 1)
        ;
    int64_t count = (int64_t)hvtrace_reader_event_count(r);
    hvtrace_reader_close(r);
    return got == 0 ? count : -1;
}
