/*
 * Error reporting: errors are values the caller receives, never output.
 */
/* For the XSI strerror_r (thread-safe, unlike strerror). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "hvtrace_internal.h"

const char *hvtrace_error_message(const hvtrace_error *err)
{
    return err != NULL ? err->message : "";
}

void hvtrace_set_error(hvtrace_error *err, hvtrace_status code, int sys_errno,
                       const char *format, ...)
{
    if (err == NULL)
        return;
    err->code = code;
    err->sys_errno = sys_errno;
    va_list args;
    va_start(args, format);
    /* Truncation is acceptable: the message is for people. */
    (void)vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
}

void hvtrace_copy_error(hvtrace_error *dst, const hvtrace_error *src)
{
    if (dst != NULL && src != NULL && dst != src)
        *dst = *src;
}

const char *hvtrace_strerror(int errnum, char *buf, size_t size)
{
#if defined(_GNU_SOURCE)
    /* The GNU variant may return a static string instead of filling buf. */
    return strerror_r(errnum, buf, size);
#else
    if (strerror_r(errnum, buf, size) != 0)
        (void)snprintf(buf, size, "errno %d", errnum);
    return buf;
#endif
}
