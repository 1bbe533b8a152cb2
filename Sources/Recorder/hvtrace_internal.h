/*
 * Declarations shared by the hvtrace_*.c files; not part of the public API.
 */
#ifndef HVTRACE_INTERNAL_H
#define HVTRACE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvtrace.h"

#if defined(__GNUC__) || defined(__clang__)
#define HVTRACE_PRINTF(fmt_index, args_index) \
    __attribute__((format(printf, fmt_index, args_index)))
#else
#define HVTRACE_PRINTF(fmt_index, args_index)
#endif

/* ----------------------------------------------------------- hvtrace_error.c */

/* Fills err (if not NULL) with code, sys_errno and the formatted message. */
void hvtrace_set_error(hvtrace_error *err, hvtrace_status code, int sys_errno,
                       const char *format, ...) HVTRACE_PRINTF(4, 5);

/* Copies src into dst if dst is not NULL. */
void hvtrace_copy_error(hvtrace_error *dst, const hvtrace_error *src);

/* Thread-safe strerror into buf. */
const char *hvtrace_strerror(int errnum, char *buf, size_t size);

/* --------------------------------------------------------- hvtrace_framing.c */

/* Bytes before the zstd stream: the magic and the version. */
#define HVTRACE_MAGIC_BYTES 8u
#define HVTRACE_PREAMBLE_BYTES 12u
/* A protobuf varint is at most 10 bytes. */
#define HVTRACE_MAX_VARINT_BYTES 10u

extern const uint8_t hvtrace_magic[HVTRACE_MAGIC_BYTES];

/* Writes the magic and HVTRACE_FILE_VERSION into out. */
void hvtrace_encode_preamble(uint8_t out[HVTRACE_PREAMBLE_BYTES]);

/* Encodes value as a varint into out; returns the number of bytes (1..10). */
size_t hvtrace_encode_varint(uint64_t value, uint8_t out[HVTRACE_MAX_VARINT_BYTES]);

typedef enum hvtrace_varint_result {
    HVTRACE_VARINT_OK,
    /* The available bytes end before the varint does. */
    HVTRACE_VARINT_INCOMPLETE,
    /* Ten bytes and still a continuation bit, or more than 64 bits. */
    HVTRACE_VARINT_OVERLONG,
} hvtrace_varint_result;

/* Decodes a varint from the size bytes at data; on OK sets *value and
 * *length (bytes used). */
hvtrace_varint_result hvtrace_decode_varint(const uint8_t *data, size_t size,
                                            uint64_t *value, size_t *length);

/* -------------------------------------------------------- hvtrace_validate.c */

/*
 * Checks a message against its descriptor, recursively: every enum field
 * (singular or repeated) holds a value its enum descriptor defines, every
 * string is valid UTF-8, oneof cases name a field of the oneof whose message
 * is present, submessages carry the descriptor the schema expects, repeated
 * fields with elements have an array. Events must in addition have their
 * kind set (checked by hvtrace_validate_event).
 *
 * Returns 0 if valid; otherwise -1 and a description of the first problem in
 * problem (naming the field path, e.g. "kind barrier: field domain ...").
 */
int hvtrace_validate_message(const ProtobufCMessage *message, char *problem,
                             size_t problem_size);

/* hvtrace_validate_message plus: the event's kind is set. */
int hvtrace_validate_event(const Hvdiff__Trace__Event *event, char *problem,
                           size_t problem_size);

/* True if the size bytes at text are well-formed UTF-8 (no overlong forms,
 * no surrogates, nothing above U+10FFFF), as swift-protobuf requires. */
int hvtrace_is_utf8(const uint8_t *text, size_t size);

/* ----------------------------------------------------------- hvtrace_rules.c */

/*
 * The trace-level rules of hvdiff's Swift reader (see hvtrace_rules.c), on
 * top of the schema checks above. Call only on messages that passed
 * hvtrace_validate_message / hvtrace_validate_event.
 */
typedef struct hvtrace_rules_vm {
    uint32_t id;
    uint32_t vcpus;
} hvtrace_rules_vm;

typedef struct hvtrace_rules {
    uint32_t cpus;
    size_t n_vms;
    hvtrace_rules_vm *vms; /* sorted by id */
    uint64_t *last_seq;    /* per CPU */
    bool *seen;            /* per CPU: an event was seen */
} hvtrace_rules;

/* Header limits (CPUs, pages, levels, VMs); 0 or -1 with a problem. */
int hvtrace_rules_check_header(const Hvdiff__Trace__Header *header, char *problem,
                               size_t problem_size);
/* For a header that passed hvtrace_rules_check_header; -1 if out of memory. */
int hvtrace_rules_init(hvtrace_rules *rules, const Hvdiff__Trace__Header *header);
void hvtrace_rules_destroy(hvtrace_rules *rules);
/* Checks an event against the header and the events before it, and records
 * its sequence number if it passes. */
int hvtrace_rules_check_event(hvtrace_rules *rules, const Hvdiff__Trace__Event *event,
                              char *problem, size_t problem_size);

/* ----------------------------------------------------------- hvtrace_arena.c */

/*
 * A bump allocator for protobuf-c's unpack: one block reused for every
 * record, plus overflow blocks for the rare record that needs more, freed at
 * the next reset. free() is a no-op; reset() releases everything at once.
 * That saves a malloc/free pair per submessage, string and array.
 */
typedef struct hvtrace_arena_block hvtrace_arena_block;

typedef struct hvtrace_arena {
    hvtrace_arena_block *first;    /* reused block */
    hvtrace_arena_block *overflow; /* list, freed by reset */
    hvtrace_arena_block *current;  /* block allocations come from */
} hvtrace_arena;

/* Returns 0, or -1 if out of memory. */
int hvtrace_arena_init(hvtrace_arena *arena, size_t first_block_bytes);
void hvtrace_arena_reset(hvtrace_arena *arena);
void hvtrace_arena_destroy(hvtrace_arena *arena);
/* A ProtobufCAllocator that allocates from arena. */
ProtobufCAllocator hvtrace_arena_allocator(hvtrace_arena *arena);

#endif /* HVTRACE_INTERNAL_H */
