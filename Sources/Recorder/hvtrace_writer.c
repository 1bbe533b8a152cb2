/*
 * The streaming writer: records are packed into one reused buffer, fed to a
 * zstd compression stream, and the compressed bytes are collected in an
 * output buffer that goes to the file in large writes. Memory use is fixed
 * whatever the trace's length.
 */
/* For open, write, close. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "hvtrace_internal.h"

/* Compressed bytes collected before a write(2). */
#define OUTPUT_BYTES (256u * 1024u)

struct hvtrace_writer {
    int fd;
    char *path;
    ZSTD_CCtx *cctx;
    /* Packing buffer for one record: varint length, then the message. */
    uint8_t *record;
    size_t record_capacity;
    /* Bytes waiting to be written to the file. */
    uint8_t *output;
    size_t output_used;
    /* Bytes written to the file so far (the next write's offset). */
    uint64_t file_offset;
    /* Uncompressed bytes fed into the current zstd frame. */
    uint64_t frame_bytes;
    uint64_t events;
    /* hvdiff's trace-level rules, so the trace always reads back. */
    hvtrace_rules rules;
    bool failed;
    hvtrace_error error;
};

const hvtrace_error *hvtrace_writer_error(const hvtrace_writer *w)
{
    return (w != NULL && w->failed) ? &w->error : NULL;
}

uint64_t hvtrace_writer_event_count(const hvtrace_writer *w)
{
    return w != NULL ? w->events : 0;
}

/* Writes all of data; on failure records an I/O error and returns -1. */
static int write_all(hvtrace_writer *w, const uint8_t *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(w->fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            char buf[128];
            hvtrace_set_error(&w->error, HVTRACE_ERR_IO, e,
                              "%s: write failed at file offset %llu (after %llu events): %s",
                              w->path, (unsigned long long)w->file_offset,
                              (unsigned long long)w->events, hvtrace_strerror(e, buf, sizeof buf));
            w->failed = true;
            return -1;
        }
        data += n;
        size -= (size_t)n;
        w->file_offset += (uint64_t)n;
    }
    return 0;
}

static int write_output(hvtrace_writer *w)
{
    size_t n = w->output_used;
    w->output_used = 0;
    return write_all(w, w->output, n);
}

static int zstd_failed(hvtrace_writer *w, size_t code, const char *when)
{
    hvtrace_set_error(&w->error, HVTRACE_ERR_IO, 0,
                      "%s: zstd compression failed %s (after %llu events): %s",
                      w->path, when, (unsigned long long)w->events,
                      ZSTD_getErrorName(code));
    w->failed = true;
    return -1;
}

/* Feeds size bytes to the compressor with the given directive; with
 * ZSTD_e_end, loops until the frame is complete. */
static int compress(hvtrace_writer *w, const uint8_t *data, size_t size,
                    ZSTD_EndDirective directive)
{
    ZSTD_inBuffer in = { data, size, 0 };
    for (;;) {
        ZSTD_outBuffer out = { w->output, OUTPUT_BYTES, w->output_used };
        size_t remaining = ZSTD_compressStream2(w->cctx, &out, &in, directive);
        w->output_used = out.pos;
        if (ZSTD_isError(remaining))
            return zstd_failed(w, remaining, directive == ZSTD_e_end ? "ending a frame" : "compressing a record");
        if (w->output_used == OUTPUT_BYTES && write_output(w) != 0)
            return -1;
        int done = directive == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
        if (done)
            return 0;
    }
}

static int end_frame(hvtrace_writer *w)
{
    if (compress(w, NULL, 0, ZSTD_e_end) != 0)
        return -1;
    w->frame_bytes = 0;
    return 0;
}

/* Packs message as one record and compresses it. */
static int append_record(hvtrace_writer *w, const ProtobufCMessage *message)
{
    /* Names the record in error messages. */
    char what[48];
    if (message->descriptor == &hvdiff__trace__header__descriptor)
        (void)snprintf(what, sizeof what, "the header");
    else
        (void)snprintf(what, sizeof what, "event %llu", (unsigned long long)w->events);
    size_t size = protobuf_c_message_get_packed_size(message);
    if (size > HVTRACE_MAX_RECORD_BYTES) {
        hvtrace_set_error(&w->error, HVTRACE_ERR_ARGUMENT, 0,
                          "%s: %s packs to %zu bytes, more than the %u-byte record limit",
                          w->path, what, size, HVTRACE_MAX_RECORD_BYTES);
        w->failed = true;
        return -1;
    }
    size_t needed = HVTRACE_MAX_VARINT_BYTES + size;
    if (needed > w->record_capacity) {
        size_t capacity = w->record_capacity * 2;
        while (capacity < needed)
            capacity *= 2;
        uint8_t *grown = realloc(w->record, capacity);
        if (grown == NULL) {
            hvtrace_set_error(&w->error, HVTRACE_ERR_NOMEM, 0,
                              "%s: out of memory for %s (%zu bytes)", w->path, what, size);
            w->failed = true;
            return -1;
        }
        w->record = grown;
        w->record_capacity = capacity;
    }
    size_t prefix = hvtrace_encode_varint(size, w->record);
    size_t packed = protobuf_c_message_pack(message, w->record + prefix);
    if (packed != size) {
        hvtrace_set_error(&w->error, HVTRACE_ERR_ARGUMENT, 0,
                          "%s: %s packed to %zu bytes, not the %zu predicted",
                          w->path, what, packed, size);
        w->failed = true;
        return -1;
    }
    if (compress(w, w->record, prefix + size, ZSTD_e_continue) != 0)
        return -1;
    w->frame_bytes += prefix + size;
    /* Bound the damage of a corrupt byte to one frame's records. */
    if (w->frame_bytes >= HVTRACE_FRAME_BYTES)
        return end_frame(w);
    return 0;
}

static void free_writer(hvtrace_writer *w)
{
    hvtrace_rules_destroy(&w->rules);
    ZSTD_freeCCtx(w->cctx);
    free(w->record);
    free(w->output);
    free(w->path);
    free(w);
}

static int configure(hvtrace_writer *w)
{
    size_t r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
                                      HVTRACE_COMPRESSION_LEVEL);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
    if (ZSTD_isError(r))
        return zstd_failed(w, r, "configuring the stream");
    return 0;
}

hvtrace_writer *hvtrace_open(const char *path, const Hvdiff__Trace__Header *header,
                             hvtrace_error *err)
{
    if (path == NULL || header == NULL) {
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0, "hvtrace_open: %s is NULL",
                          path == NULL ? "path" : "header");
        return NULL;
    }
    char problem[400];
    if (hvtrace_validate_message(&header->base, problem, sizeof problem) != 0 ||
        header->base.descriptor != &hvdiff__trace__header__descriptor) {
        if (header->base.descriptor != &hvdiff__trace__header__descriptor)
            (void)snprintf(problem, sizeof problem, "not a Header (initialise it with HVDIFF__TRACE__HEADER__INIT)");
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0, "%s: invalid header: %s", path, problem);
        return NULL;
    }
    /* Stamp the schema version the library writes if the caller left it 0. */
    Hvdiff__Trace__Header stamped = *header;
    if (stamped.format_version == 0)
        stamped.format_version = HVTRACE_SCHEMA_VERSION;
    if (stamped.format_version != HVTRACE_SCHEMA_VERSION) {
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0,
                          "%s: header format_version %u; this library writes version %u",
                          path, stamped.format_version, HVTRACE_SCHEMA_VERSION);
        return NULL;
    }
    if (hvtrace_rules_check_header(&stamped, problem, sizeof problem) != 0) {
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0, "%s: invalid header: %s", path, problem);
        return NULL;
    }

    hvtrace_writer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        hvtrace_set_error(err, HVTRACE_ERR_NOMEM, 0, "%s: out of memory", path);
        return NULL;
    }
    w->fd = -1;
    w->path = strdup(path);
    w->cctx = ZSTD_createCCtx();
    w->record_capacity = 4096;
    w->record = malloc(w->record_capacity);
    w->output = malloc(OUTPUT_BYTES);
    int rules_ok = hvtrace_rules_init(&w->rules, &stamped) == 0;
    if (w->path == NULL || w->cctx == NULL || w->record == NULL || w->output == NULL || !rules_ok) {
        hvtrace_set_error(err, HVTRACE_ERR_NOMEM, 0, "%s: out of memory", path);
        free_writer(w);
        return NULL;
    }
    if (configure(w) != 0) {
        hvtrace_copy_error(err, &w->error);
        free_writer(w);
        return NULL;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (w->fd < 0) {
        int e = errno;
        char buf[128];
        hvtrace_set_error(err, HVTRACE_ERR_IO, e, "%s: cannot create: %s", path,
                          hvtrace_strerror(e, buf, sizeof buf));
        free_writer(w);
        return NULL;
    }
    /* The uncompressed preamble goes out first, then the compressed stream. */
    hvtrace_encode_preamble(w->output);
    w->output_used = HVTRACE_PREAMBLE_BYTES;
    if (append_record(w, &stamped.base) != 0) {
        hvtrace_copy_error(err, &w->error);
        (void)close(w->fd);
        free_writer(w);
        return NULL;
    }
    return w;
}

int hvtrace_append_event(hvtrace_writer *w, const Hvdiff__Trace__Event *event)
{
    if (w == NULL)
        return -1;
    if (w->failed)
        return -1;
    char problem[400];
    if (hvtrace_validate_event(event, problem, sizeof problem) != 0 ||
        hvtrace_rules_check_event(&w->rules, event, problem, sizeof problem) != 0) {
        hvtrace_set_error(&w->error, HVTRACE_ERR_ARGUMENT, 0, "%s: event %llu is invalid: %s",
                          w->path, (unsigned long long)w->events, problem);
        w->failed = true;
        return -1;
    }
    if (append_record(w, &event->base) != 0)
        return -1;
    w->events++;
    return 0;
}

int hvtrace_flush(hvtrace_writer *w)
{
    if (w == NULL || w->failed)
        return -1;
    if (w->frame_bytes > 0 && end_frame(w) != 0)
        return -1;
    return write_output(w);
}

int hvtrace_close(hvtrace_writer *w, hvtrace_error *err)
{
    if (w == NULL) {
        hvtrace_set_error(err, HVTRACE_ERR_ARGUMENT, 0, "hvtrace_close: writer is NULL");
        return -1;
    }
    if (!w->failed && (w->frame_bytes == 0 || end_frame(w) == 0))
        (void)write_output(w);
    /* close(2) can report a deferred write error (NFS, quota). */
    if (close(w->fd) != 0 && !w->failed) {
        int e = errno;
        char buf[128];
        hvtrace_set_error(&w->error, HVTRACE_ERR_IO, e, "%s: close failed after %llu events: %s",
                          w->path, (unsigned long long)w->events,
                          hvtrace_strerror(e, buf, sizeof buf));
        w->failed = true;
    }
    int result = w->failed ? -1 : 0;
    if (w->failed)
        hvtrace_copy_error(err, &w->error);
    free_writer(w);
    return result;
}
