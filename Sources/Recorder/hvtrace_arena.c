/*
 * The reader's allocator for unpacked events (see hvtrace_internal.h).
 * protobuf-c allocates one struct per submessage plus arrays and strings;
 * from an arena those cost a pointer bump, and the whole event is released
 * by one reset before the next record.
 */
#include <stdalign.h>
#include <stdlib.h>

#include "hvtrace_internal.h"

struct hvtrace_arena_block {
    hvtrace_arena_block *next;
    size_t capacity;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

#define ALIGNMENT (alignof(max_align_t))

static hvtrace_arena_block *new_block(size_t capacity)
{
    hvtrace_arena_block *b = malloc(sizeof *b + capacity);
    if (b == NULL)
        return NULL;
    b->next = NULL;
    b->capacity = capacity;
    b->used = 0;
    return b;
}

int hvtrace_arena_init(hvtrace_arena *arena, size_t first_block_bytes)
{
    arena->first = new_block(first_block_bytes);
    arena->overflow = NULL;
    arena->current = arena->first;
    return arena->first != NULL ? 0 : -1;
}

void hvtrace_arena_reset(hvtrace_arena *arena)
{
    while (arena->overflow != NULL) {
        hvtrace_arena_block *next = arena->overflow->next;
        free(arena->overflow);
        arena->overflow = next;
    }
    if (arena->first != NULL)
        arena->first->used = 0;
    arena->current = arena->first;
}

void hvtrace_arena_destroy(hvtrace_arena *arena)
{
    hvtrace_arena_reset(arena);
    free(arena->first);
    arena->first = NULL;
    arena->current = NULL;
}

static void *arena_alloc(void *data, size_t size)
{
    hvtrace_arena *arena = data;
    /* Round up so every allocation stays aligned for any type. */
    if (size > SIZE_MAX - ALIGNMENT)
        return NULL;
    size_t rounded = (size + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
    hvtrace_arena_block *b = arena->current;
    if (b == NULL || b->capacity - b->used < rounded) {
        /* Grow geometrically so a big record needs few blocks; the overflow
         * is bounded by what one record (at most 1 MiB) unpacks to. */
        size_t capacity = b != NULL ? b->capacity * 2 : 4096;
        if (capacity < rounded)
            capacity = rounded;
        hvtrace_arena_block *fresh = new_block(capacity);
        if (fresh == NULL)
            return NULL;
        fresh->next = arena->overflow;
        arena->overflow = fresh;
        arena->current = fresh;
        b = fresh;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    return p;
}

static void arena_free(void *data, void *pointer)
{
    /* Released in bulk by hvtrace_arena_reset. */
    (void)data;
    (void)pointer;
}

ProtobufCAllocator hvtrace_arena_allocator(hvtrace_arena *arena)
{
    ProtobufCAllocator allocator = {
        .alloc = arena_alloc,
        .free = arena_free,
        .allocator_data = arena,
    };
    return allocator;
}
