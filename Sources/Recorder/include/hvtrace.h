/*
 * hvtrace: the C recording library for hvdiff traces.
 *
 * A hypervisor written in C links this library (and libzstd, libprotobuf-c)
 * to write the traces hvdiff replays, and C tools use its reader to consume
 * them. The schema is Sources/Trace/Schema/trace.proto; the message types
 * below (Hvdiff__Trace__Event, ...) are protobuf-c's code generated from it.
 *
 * File format (shared with the Swift reader and writer in module Trace):
 *   - the 8 bytes "HVTRACE\n", then the file format version as a
 *     little-endian uint32 (HVTRACE_FILE_VERSION);
 *   - then a zstd stream of one or more frames, each with a content checksum;
 *   - decompressed: records, each a protobuf varint byte length followed by
 *     that many bytes of a serialized message; the first record is a Header,
 *     every later record an Event; no record is longer than
 *     HVTRACE_MAX_RECORD_BYTES.
 *
 * Errors: every function that can fail returns an error value (NULL, -1) and
 * fills a caller-provided hvtrace_error (which may be NULL if the caller does
 * not want details). Nothing is printed and nothing aborts.
 *
 * Threads: there is no global state. A writer or reader must not be used by
 * two threads at once; different writers and readers are independent.
 */
#ifndef HVTRACE_H
#define HVTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the file layout (the uint32 after the magic). */
#define HVTRACE_FILE_VERSION 1u
/* Version of the schema's semantics (Header.format_version). */
#define HVTRACE_SCHEMA_VERSION 1u
/* Largest serialized record, in bytes (1 MiB). Longer records are invalid. */
#define HVTRACE_MAX_RECORD_BYTES 1048576u
/* The writer ends its zstd frame after this many uncompressed bytes (4 MiB). */
#define HVTRACE_FRAME_BYTES 4194304u
/* zstd level the writer compresses with. */
#define HVTRACE_COMPRESSION_LEVEL 3

/* ------------------------------------------------------------------ errors */

typedef enum hvtrace_status {
    HVTRACE_OK = 0,
    /* open, read, write or close failed; sys_errno says why. */
    HVTRACE_ERR_IO = 1,
    /* Out of memory. */
    HVTRACE_ERR_NOMEM = 2,
    /* The file's structure is wrong: magic, version, zstd stream, frame
     * checksum, truncation, a record length out of bounds, a missing header. */
    HVTRACE_ERR_FORMAT = 3,
    /* A record is not a valid message of the schema (it does not unpack, an
     * enum field holds a number the schema does not define, an event has no
     * kind, a string is not UTF-8, the header's version is unknown) or breaks
     * hvdiff's trace rules (see hvtrace_append_event). */
    HVTRACE_ERR_RECORD = 4,
    /* The caller passed something invalid: a NULL path, a header or event
     * hvdiff would reject (see hvtrace_open, hvtrace_append_event), a message
     * that was not initialised with its INIT macro. */
    HVTRACE_ERR_ARGUMENT = 5,
} hvtrace_status;

typedef struct hvtrace_error {
    hvtrace_status code;
    /* errno of the failed system call for HVTRACE_ERR_IO, else 0. */
    int sys_errno;
    /* What went wrong and where: file, byte offset, event index. */
    char message[512];
} hvtrace_error;

/* The message of err as a C string (for callers that find the array awkward,
 * such as Swift). */
const char *hvtrace_error_message(const hvtrace_error *err);

/* ------------------------------------------------------------------ writer */

typedef struct hvtrace_writer hvtrace_writer;

/*
 * Creates (or truncates) the file at path and starts a trace with header.
 * header->format_version may be left 0, in which case HVTRACE_SCHEMA_VERSION
 * is written; any other value than HVTRACE_SCHEMA_VERSION is refused.
 * The header must be one hvdiff accepts: a machine with 1 to 1024 CPUs, at
 * most 2^24 physical pages, 2 to 4 page-table levels, 1 to 512 words per
 * page, at most 1024 VMs with distinct ids and 1 to 512 vCPUs each, UTF-8
 * strings. It is copied into the stream; the caller keeps ownership.
 * Returns NULL and fills err on failure.
 */
hvtrace_writer *hvtrace_open(const char *path,
                             const Hvdiff__Trace__Header *header,
                             hvtrace_error *err);

/*
 * Appends one event (any kind). The event is checked first as hvdiff's reader
 * will check it, so that the trace always reads back:
 *   - schema: the kind is set, every enum field holds a value the schema
 *     defines, strings are UTF-8, the record is at most
 *     HVTRACE_MAX_RECORD_BYTES;
 *   - trace rules: cpu exists in the header's machine; principal is set; a
 *     guest's vm and vcpu exist in the header; time starts no later than it
 *     ends; the kind's required enums are not UNSPECIFIED (hypercall number,
 *     address space, access op, memory order, barrier kind, TLBI op, system
 *     register, hint kind, lock op); access widths are 1, 2, 4 or 8; DMB and
 *     DSB have a domain and ISB none (or SY); IPI CPUs and vCPU enter/exit
 *     VMs exist; a memset byte is at most 0xff; at most 8 hypercall
 *     arguments; seq strictly increases on each CPU.
 * Returns 0, or -1 on error.
 *
 * The first error is final: the writer records it, every later append and
 * flush returns -1 at once, and hvtrace_close reports it. So a caller may
 * check only the result of hvtrace_close. hvtrace_writer_error tells the
 * error right away.
 */
int hvtrace_append_event(hvtrace_writer *w, const Hvdiff__Trace__Event *event);

/*
 * Ends the current zstd frame and writes everything buffered to the file, so
 * that the file holds a valid trace of the events so far even if the process
 * dies later. Costs a little compression; call it at checkpoints, not per
 * event. Returns 0 or -1.
 */
int hvtrace_flush(hvtrace_writer *w);

/* The writer's recorded error, or NULL if none happened. */
const hvtrace_error *hvtrace_writer_error(const hvtrace_writer *w);

/* Number of events appended successfully so far. */
uint64_t hvtrace_writer_event_count(const hvtrace_writer *w);

/*
 * Ends the last frame, writes everything out and closes the file. Reports any
 * error of this call or recorded earlier (disk full, ...): returns 0, or -1
 * with err filled. Always frees w, even on error; a file whose writer failed
 * is left as far as it got and is not a complete trace.
 */
int hvtrace_close(hvtrace_writer *w, hvtrace_error *err);

/* ------------------------------------------- convenience appends per kind */

/* Metadata every event carries. Zero-initialise it ({0}) and set what you
 * know; principal is required. */
typedef struct hvtrace_meta {
    /* Physical CPU the event happened on. */
    uint32_t cpu;
    Hvdiff__Trace__PrincipalKind principal;
    /* For HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_GUEST: VM and vCPU. */
    uint32_t vm;
    uint32_t vcpu;
    /* Per-CPU sequence number, strictly increasing on each CPU. */
    uint64_t seq;
    /* Optional time interval in nanoseconds (start <= end). */
    bool has_time;
    uint64_t start_ns;
    uint64_t end_ns;
    /* Optional source location ("file.c:123") or recorder key; NULL for none. */
    const char *source;
} hvtrace_meta;

/* Each function below builds one event on the stack (no allocation) and
 * appends it as hvtrace_append_event does; same return value and errors. */

/* args: n_args arguments in register order (x1, x2, ...); may be NULL if
 * n_args is 0. recorded_return: the return value the system saw, or NULL if
 * it was not recorded. */
int hvtrace_append_hypercall(hvtrace_writer *w, const hvtrace_meta *meta,
                             Hvdiff__Trace__HypercallNumber call,
                             const uint64_t *args, size_t n_args,
                             const int64_t *recorded_return);

int hvtrace_append_access(hvtrace_writer *w, const hvtrace_meta *meta,
                          Hvdiff__Trace__AddressSpace space,
                          Hvdiff__Trace__AccessOp op, uint64_t address,
                          uint32_t width, uint64_t value,
                          Hvdiff__Trace__AccessOutcome recorded_outcome,
                          uint64_t recorded_value);

int hvtrace_append_stage2_fault(hvtrace_writer *w, const hvtrace_meta *meta,
                                uint64_t address, Hvdiff__Trace__AccessOp op,
                                Hvdiff__Trace__FaultResolution recorded_resolution);

int hvtrace_append_ipi_send(hvtrace_writer *w, const hvtrace_meta *meta,
                            uint32_t target_cpu, uint32_t target_vcpu,
                            uint32_t intid);

int hvtrace_append_ipi_delivery(hvtrace_writer *w, const hvtrace_meta *meta,
                                uint32_t source_cpu, uint32_t intid);

int hvtrace_append_vcpu_enter(hvtrace_writer *w, const hvtrace_meta *meta,
                              uint32_t vm, uint32_t vcpu);

int hvtrace_append_vcpu_exit(hvtrace_writer *w, const hvtrace_meta *meta,
                             uint32_t vm, uint32_t vcpu,
                             Hvdiff__Trace__ExitReason reason);

int hvtrace_append_hyp_write(hvtrace_writer *w, const hvtrace_meta *meta,
                             Hvdiff__Trace__MemoryOrder order, uint64_t address,
                             uint64_t value, uint32_t width);

int hvtrace_append_hyp_read(hvtrace_writer *w, const hvtrace_meta *meta,
                            Hvdiff__Trace__MemoryOrder order, uint64_t address,
                            uint64_t value, uint32_t width);

int hvtrace_append_hyp_init(hvtrace_writer *w, const hvtrace_meta *meta,
                            uint64_t address, uint64_t size);

int hvtrace_append_hyp_free(hvtrace_writer *w, const hvtrace_meta *meta,
                            uint64_t address, uint64_t size);

int hvtrace_append_hyp_set(hvtrace_writer *w, const hvtrace_meta *meta,
                           uint64_t address, uint64_t size, uint32_t byte);

/* domain: for DMB and DSB; HVDIFF__TRACE__BARRIER_DOMAIN__DOMAIN_UNSPECIFIED
 * for ISB. */
int hvtrace_append_barrier(hvtrace_writer *w, const hvtrace_meta *meta,
                           Hvdiff__Trace__BarrierKind kind,
                           Hvdiff__Trace__BarrierDomain domain);

/* operand: the address operand of by-address operations, else 0. */
int hvtrace_append_tlbi(hvtrace_writer *w, const hvtrace_meta *meta,
                        Hvdiff__Trace__TlbiOp op, uint64_t operand);

int hvtrace_append_sysreg_write(hvtrace_writer *w, const hvtrace_meta *meta,
                                Hvdiff__Trace__Sysreg reg, uint64_t value);

int hvtrace_append_hint(hvtrace_writer *w, const hvtrace_meta *meta,
                        Hvdiff__Trace__HintKind kind, uint64_t location,
                        uint64_t value);

int hvtrace_append_lock(hvtrace_writer *w, const hvtrace_meta *meta,
                        Hvdiff__Trace__LockKind kind, uint64_t address);

/* ------------------------------------------------------------------ reader */

typedef struct hvtrace_reader hvtrace_reader;

/*
 * Opens a trace and reads its header. Returns NULL and fills err if the file
 * cannot be opened, is not a trace, or its header is missing or invalid.
 *
 * Memory use does not depend on the trace's length: a 1 MiB input buffer, an
 * 8 MiB window of decompressed bytes, zstd's own window (limited to 16 MiB)
 * and one event's unpacked form; a record is never larger than
 * HVTRACE_MAX_RECORD_BYTES, and no length read from the file is allocated.
 *
 * Each zstd frame is decoded to its end, and its checksum verified, before
 * any of its events is returned (for frames up to about 7 MiB decompressed;
 * the writers cut frames at 4 MiB), so a corrupt or truncated frame gives an
 * error, never wrong events.
 */
hvtrace_reader *hvtrace_reader_open(const char *path, hvtrace_error *err);

/* The trace's header, owned by the reader, valid until hvtrace_reader_close. */
const Hvdiff__Trace__Header *hvtrace_reader_header(const hvtrace_reader *r);

/*
 * Reads the next event. Returns 1 and sets *out to the event, 0 at the clean
 * end of the trace, or -1 with err filled (message naming the file, the
 * decompressed offset of the record and the compressed offset of its zstd
 * frame, and the event's index counted from 0).
 *
 * *out is owned by the reader and valid until the next call to
 * hvtrace_reader_next or hvtrace_reader_close: events are unpacked into an
 * arena the reader reuses for every event, which makes reading fast and
 * keeps memory bounded. Copy what you need to keep.
 *
 * Every event returned passed the checks hvtrace_append_event describes
 * (schema and trace rules, as hvdiff's own reader applies them). After -1
 * every later call returns -1 with the same error.
 */
int hvtrace_reader_next(hvtrace_reader *r, const Hvdiff__Trace__Event **out,
                        hvtrace_error *err);

/* Number of events returned so far. */
uint64_t hvtrace_reader_event_count(const hvtrace_reader *r);

/* Closes the file and frees the reader, its header and its last event. */
void hvtrace_reader_close(hvtrace_reader *r);

/*
 * Reads a whole trace with the reader above (every event unpacked and
 * validated) and returns the number of events, or -1 with err filled.
 */
int64_t hvtrace_count_events(const char *path, hvtrace_error *err);

#ifdef __cplusplus
}
#endif

#endif /* HVTRACE_H */
