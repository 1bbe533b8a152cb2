/*
 * The framing both directions share: the file preamble and record lengths.
 */
#include <string.h>

#include "hvtrace_internal.h"

const uint8_t hvtrace_magic[HVTRACE_MAGIC_BYTES] = {
    'H', 'V', 'T', 'R', 'A', 'C', 'E', '\n',
};

void hvtrace_encode_preamble(uint8_t out[HVTRACE_PREAMBLE_BYTES])
{
    memcpy(out, hvtrace_magic, HVTRACE_MAGIC_BYTES);
    uint32_t version = HVTRACE_FILE_VERSION;
    /* Little-endian whatever the host's byte order. */
    for (unsigned i = 0; i < 4; i++)
        out[HVTRACE_MAGIC_BYTES + i] = (uint8_t)(version >> (8 * i));
}

size_t hvtrace_encode_varint(uint64_t value, uint8_t out[HVTRACE_MAX_VARINT_BYTES])
{
    size_t n = 0;
    while (value >= 0x80) {
        out[n++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[n++] = (uint8_t)value;
    return n;
}

hvtrace_varint_result hvtrace_decode_varint(const uint8_t *data, size_t size,
                                            uint64_t *value, size_t *length)
{
    uint64_t result = 0;
    for (size_t i = 0; i < HVTRACE_MAX_VARINT_BYTES; i++) {
        if (i == size)
            return HVTRACE_VARINT_INCOMPLETE;
        uint8_t byte = data[i];
        /* The tenth byte holds bit 63 only. */
        if (i == HVTRACE_MAX_VARINT_BYTES - 1 && byte > 1)
            return HVTRACE_VARINT_OVERLONG;
        result |= (uint64_t)(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            *value = result;
            *length = i + 1;
            return HVTRACE_VARINT_OK;
        }
    }
    return HVTRACE_VARINT_OVERLONG;
}
