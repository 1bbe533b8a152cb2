/*
 * Schema checks protobuf-c does not make. protobuf-c unpacks any enum number
 * (proto3 enums are open) and does not check UTF-8; hvdiff's readers reject
 * both, and the writer refuses to produce what the readers would reject. The
 * checks walk protobuf-c's descriptors, so they follow the schema when it
 * grows without code changes here.
 */
#include <stdio.h>
#include <string.h>

#include "hvtrace_internal.h"

/* The schema nests three levels; anything deeper is a cycle or garbage. */
#define MAX_DEPTH 16
/* Oneofs per message we track; the schema has one. */
#define MAX_ONEOFS 8

/* The field path is kept as a stack of names and only formatted when a check
 * fails, because the reader validates every event on its hot path. */
typedef struct walk {
    const char *names[MAX_DEPTH + 2];
    size_t indices[MAX_DEPTH + 2]; /* element index, or SIZE_MAX if singular */
    unsigned depth;
    char *problem;
    size_t problem_size;
} walk;

static void push(walk *wk, const char *name, size_t index)
{
    wk->names[wk->depth] = name;
    wk->indices[wk->depth] = index;
    wk->depth++;
}

static void pop(walk *wk)
{
    wk->depth--;
}

static int fail(walk *wk, const char *format, ...) HVTRACE_PRINTF(2, 3);

static int fail(walk *wk, const char *format, ...)
{
    char path[200] = "";
    size_t used = 0;
    for (unsigned i = 0; i < wk->depth && used < sizeof path; i++) {
        int n;
        if (wk->indices[i] == SIZE_MAX)
            n = snprintf(path + used, sizeof path - used, "%s%s", i ? "." : "", wk->names[i]);
        else
            n = snprintf(path + used, sizeof path - used, "%s%s[%zu]", i ? "." : "",
                         wk->names[i], wk->indices[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    char what[256];
    va_list args;
    va_start(args, format);
    (void)vsnprintf(what, sizeof what, format, args);
    va_end(args);
    if (wk->depth > 0)
        (void)snprintf(wk->problem, wk->problem_size, "field %s: %s", path, what);
    else
        (void)snprintf(wk->problem, wk->problem_size, "%s", what);
    return -1;
}

int hvtrace_is_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0; /* continuation byte, overlong lead (c0, c1) or > f4 */
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (cc & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static size_t element_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    return 0;
}

static int check_message(walk *wk, const ProtobufCMessage *m,
                         const ProtobufCMessageDescriptor *expected);

/* Checks one value of field f stored at p (a singular member or one element
 * of a repeated member). */
static int check_value(walk *wk, const ProtobufCFieldDescriptor *f, const void *p,
                       int repeated)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_ENUM: {
        int value;
        memcpy(&value, p, sizeof value);
        const ProtobufCEnumDescriptor *e = f->descriptor;
        if (protobuf_c_enum_descriptor_get_value(e, value) == NULL)
            return fail(wk, "value %d is not defined by enum %s", value, e->name);
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, p, sizeof s);
        if (s != NULL && !hvtrace_is_utf8((const uint8_t *)s, strlen(s)))
            return fail(wk, "string is not valid UTF-8");
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub;
        memcpy(&sub, p, sizeof sub);
        if (sub == NULL)
            return repeated ? fail(wk, "repeated element is NULL") : 0;
        return check_message(wk, sub, f->descriptor);
    }
    default:
        return 0;
    }
}

/* Checks field f of the message at base (its oneof case, if any, selects f). */
static int check_field(walk *wk, const char *base, const ProtobufCFieldDescriptor *f)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t n;
        memcpy(&n, base + f->quantifier_offset, sizeof n);
        const char *array;
        memcpy(&array, base + f->offset, sizeof array);
        if (n > 0 && array == NULL)
            return fail(wk, "%zu elements but no array", n);
        if (f->type != PROTOBUF_C_TYPE_ENUM && f->type != PROTOBUF_C_TYPE_STRING &&
            f->type != PROTOBUF_C_TYPE_MESSAGE)
            return 0;
        size_t size = element_size(f->type);
        for (size_t k = 0; k < n; k++) {
            wk->indices[wk->depth - 1] = k;
            if (check_value(wk, f, array + k * size, 1) != 0)
                return -1;
        }
        wk->indices[wk->depth - 1] = SIZE_MAX;
        return 0;
    }
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        const void *member;
        memcpy(&member, base + f->offset, sizeof member);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && member == NULL)
            return fail(wk, "the oneof case selects this field but its message is NULL");
    }
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type == PROTOBUF_C_TYPE_ENUM &&
        f->quantifier_offset != 0) {
        /* proto2 optional scalar: the has_ member says whether it is set. */
        protobuf_c_boolean has;
        memcpy(&has, base + f->quantifier_offset, sizeof has);
        if (!has)
            return 0;
    }
    return check_value(wk, f, base + f->offset, 0);
}

typedef struct oneof_case {
    unsigned offset; /* of the case member */
    uint32_t which;  /* its value */
    int matched;     /* a field of the oneof has that number */
} oneof_case;

static int check_message(walk *wk, const ProtobufCMessage *m,
                         const ProtobufCMessageDescriptor *expected)
{
    if (wk->depth > MAX_DEPTH)
        return fail(wk, "messages nested deeper than %d levels", MAX_DEPTH);
    if (m->descriptor != expected)
        return fail(wk, "message is not a %s (not initialised with its INIT macro?)",
                    expected->name);

    const char *base = (const char *)m;
    oneof_case cases[MAX_ONEOFS];
    unsigned n_cases = 0;
    for (unsigned i = 0; i < expected->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &expected->fields[i];
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            unsigned k = 0;
            while (k < n_cases && cases[k].offset != f->quantifier_offset)
                k++;
            if (k == n_cases) {
                if (n_cases == MAX_ONEOFS)
                    return fail(wk, "%s has more than %d oneofs", expected->name, MAX_ONEOFS);
                cases[k].offset = f->quantifier_offset;
                memcpy(&cases[k].which, base + f->quantifier_offset, sizeof cases[k].which);
                cases[k].matched = cases[k].which == 0;
                n_cases++;
            }
            if (cases[k].which != f->id)
                continue;
            cases[k].matched = 1;
        }
        /* Other scalars hold any value; only a repeated one's array can be
         * wrong (missing). */
        if (f->type != PROTOBUF_C_TYPE_ENUM && f->type != PROTOBUF_C_TYPE_STRING &&
            f->type != PROTOBUF_C_TYPE_MESSAGE && f->label != PROTOBUF_C_LABEL_REPEATED)
            continue;
        push(wk, f->name, SIZE_MAX);
        int r = check_field(wk, base, f);
        pop(wk);
        if (r != 0)
            return r;
    }
    for (unsigned k = 0; k < n_cases; k++)
        if (!cases[k].matched)
            return fail(wk, "oneof case %u of %s names no field of the oneof",
                        (unsigned)cases[k].which, expected->name);
    return 0;
}

int hvtrace_validate_message(const ProtobufCMessage *message, char *problem,
                             size_t problem_size)
{
    walk wk = { .depth = 0, .problem = problem, .problem_size = problem_size };
    if (message == NULL || message->descriptor == NULL)
        return fail(&wk, "message is NULL or not initialised");
    return check_message(&wk, message, message->descriptor);
}

int hvtrace_validate_event(const Hvdiff__Trace__Event *event, char *problem,
                           size_t problem_size)
{
    walk wk = { .depth = 0, .problem = problem, .problem_size = problem_size };
    if (event == NULL)
        return fail(&wk, "event is NULL");
    if (check_message(&wk, &event->base, &hvdiff__trace__event__descriptor) != 0)
        return -1;
    if (event->kind_case == HVDIFF__TRACE__EVENT__KIND__NOT_SET)
        return fail(&wk, "event has no kind (none of hypercall, access, ..., lock is set)");
    return 0;
}
