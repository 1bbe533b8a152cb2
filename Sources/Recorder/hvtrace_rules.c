/*
 * The trace-level rules hvdiff's own reader applies (module Trace,
 * Sources/Trace/Validation/TraceValidation.swift): header limits, required
 * enum values, CPUs and VMs that exist in the header, access widths, barrier
 * domains, per-CPU sequence numbers that increase. The C writer checks them
 * so that a hypervisor never records a trace hvdiff rejects at replay time;
 * the C reader checks them so that it accepts exactly what hvdiff accepts.
 * Keep the two in step (RecorderTests' interop tests compare them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvtrace_internal.h"

#define MAX_CPUS 1024u
#define MAX_PHYSICAL_PAGES (1u << 24)
#define MIN_LEVELS 2u
#define MAX_LEVELS 4u
#define MAX_WORDS_PER_PAGE 512u
#define MAX_VMS 1024u
#define MAX_VCPUS 512u
#define MAX_HYPERCALL_ARGS 8u

static int problem(char *buf, size_t size, const char *format, ...) HVTRACE_PRINTF(3, 4);

static int problem(char *buf, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    (void)vsnprintf(buf, size, format, args);
    va_end(args);
    return -1;
}

int hvtrace_rules_check_header(const Hvdiff__Trace__Header *h, char *buf, size_t size)
{
    if (h->format_version != HVTRACE_SCHEMA_VERSION)
        return problem(buf, size, "format_version %u is unknown (this library knows version %u)",
                       h->format_version, HVTRACE_SCHEMA_VERSION);
    const Hvdiff__Trace__Machine *m = h->machine;
    if (m == NULL)
        return problem(buf, size, "no machine configuration");
    if (m->cpus < 1 || m->cpus > MAX_CPUS)
        return problem(buf, size, "cpus %u is outside 1...%u", m->cpus, MAX_CPUS);
    if (m->physical_pages > MAX_PHYSICAL_PAGES)
        return problem(buf, size, "physical_pages %u exceeds %u", m->physical_pages, MAX_PHYSICAL_PAGES);
    if (m->page_table_levels < MIN_LEVELS || m->page_table_levels > MAX_LEVELS)
        return problem(buf, size, "page_table_levels %u is outside %u...%u", m->page_table_levels,
                       MIN_LEVELS, MAX_LEVELS);
    if (m->words_per_page < 1 || m->words_per_page > MAX_WORDS_PER_PAGE)
        return problem(buf, size, "words_per_page %u is outside 1...%u", m->words_per_page,
                       MAX_WORDS_PER_PAGE);
    if (m->n_vms > MAX_VMS)
        return problem(buf, size, "%zu VMs exceed the limit of %u", m->n_vms, MAX_VMS);
    for (size_t i = 0; i < m->n_vms; i++) {
        const Hvdiff__Trace__VirtualMachine *vm = m->vms[i];
        if (vm == NULL)
            return problem(buf, size, "VM %zu is NULL", i);
        for (size_t k = 0; k < i; k++)
            if (m->vms[k]->id == vm->id)
                return problem(buf, size, "VM id %u appears twice", vm->id);
        if (vm->vcpus < 1 || vm->vcpus > MAX_VCPUS)
            return problem(buf, size, "VM %u has %u vCPUs, outside 1...%u", vm->id, vm->vcpus,
                           MAX_VCPUS);
    }
    return 0;
}

static int compare_vm(const void *a, const void *b)
{
    const hvtrace_rules_vm *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

int hvtrace_rules_init(hvtrace_rules *rules, const Hvdiff__Trace__Header *h)
{
    memset(rules, 0, sizeof *rules);
    rules->cpus = h->machine->cpus;
    rules->n_vms = h->machine->n_vms;
    rules->last_seq = calloc(rules->cpus, sizeof *rules->last_seq);
    rules->seen = calloc(rules->cpus, sizeof *rules->seen);
    rules->vms = calloc(rules->n_vms > 0 ? rules->n_vms : 1, sizeof *rules->vms);
    if (rules->last_seq == NULL || rules->seen == NULL || rules->vms == NULL) {
        hvtrace_rules_destroy(rules);
        return -1;
    }
    for (size_t i = 0; i < rules->n_vms; i++) {
        rules->vms[i].id = h->machine->vms[i]->id;
        rules->vms[i].vcpus = h->machine->vms[i]->vcpus;
    }
    /* Sorted for bsearch: a header may list up to 1024 VMs. */
    qsort(rules->vms, rules->n_vms, sizeof *rules->vms, compare_vm);
    return 0;
}

void hvtrace_rules_destroy(hvtrace_rules *rules)
{
    free(rules->last_seq);
    free(rules->seen);
    free(rules->vms);
    memset(rules, 0, sizeof *rules);
}

static int vm_problem(const hvtrace_rules *rules, uint32_t vm, uint32_t vcpu, const char *what,
                      char *buf, size_t size)
{
    hvtrace_rules_vm key = { .id = vm };
    const hvtrace_rules_vm *found =
        bsearch(&key, rules->vms, rules->n_vms, sizeof *rules->vms, compare_vm);
    if (found == NULL)
        return problem(buf, size, "%s: VM %u is not in the header", what, vm);
    if (vcpu >= found->vcpus)
        return problem(buf, size, "%s: VM %u has no vCPU %u (it has %u)", what, vm, vcpu,
                       found->vcpus);
    return 0;
}

static int width_problem(uint32_t width, char *buf, size_t size)
{
    if (width == 1 || width == 2 || width == 4 || width == 8)
        return 0;
    return problem(buf, size, "access width %u is not 1, 2, 4 or 8 bytes", width);
}

/* Undefined enum numbers were refused already (hvtrace_validate_event); here
 * only the UNSPECIFIED zero remains to refuse where a value is required. */
#define REQUIRE(value, what) \
    do { \
        if ((int)(value) == 0) \
            return problem(buf, size, "no %s", what); \
    } while (0)

static int kind_problem(const hvtrace_rules *rules, const Hvdiff__Trace__Event *e, char *buf,
                        size_t size)
{
    switch (e->kind_case) {
    case HVDIFF__TRACE__EVENT__KIND_HYPERCALL:
        REQUIRE(e->hypercall->call, "hypercall number");
        if (e->hypercall->n_args > MAX_HYPERCALL_ARGS)
            return problem(buf, size, "hypercall has %zu arguments (at most %u)",
                           e->hypercall->n_args, MAX_HYPERCALL_ARGS);
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_ACCESS:
        REQUIRE(e->access->space, "address space");
        REQUIRE(e->access->op, "access op");
        return width_problem(e->access->width, buf, size);
    case HVDIFF__TRACE__EVENT__KIND_STAGE2_FAULT:
        REQUIRE(e->stage2_fault->op, "fault access op");
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_IPI_SEND:
        if (e->ipi_send->target_cpu >= rules->cpus)
            return problem(buf, size, "IPI target cpu %u does not exist", e->ipi_send->target_cpu);
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_IPI_DELIVERY:
        if (e->ipi_delivery->source_cpu >= rules->cpus)
            return problem(buf, size, "IPI source cpu %u does not exist",
                           e->ipi_delivery->source_cpu);
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_VCPU_ENTER:
        return vm_problem(rules, e->vcpu_enter->vm, e->vcpu_enter->vcpu, "vcpu enter", buf, size);
    case HVDIFF__TRACE__EVENT__KIND_VCPU_EXIT:
        return vm_problem(rules, e->vcpu_exit->vm, e->vcpu_exit->vcpu, "vcpu exit", buf, size);
    case HVDIFF__TRACE__EVENT__KIND_HYP_WRITE:
        REQUIRE(e->hyp_write->order, "memory order");
        return width_problem(e->hyp_write->width, buf, size);
    case HVDIFF__TRACE__EVENT__KIND_HYP_READ:
        REQUIRE(e->hyp_read->order, "memory order");
        return width_problem(e->hyp_read->width, buf, size);
    case HVDIFF__TRACE__EVENT__KIND_HYP_INIT:
    case HVDIFF__TRACE__EVENT__KIND_HYP_FREE:
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_HYP_SET:
        if (e->hyp_set->byte > 0xff)
            return problem(buf, size, "memset byte %u exceeds 0xff", e->hyp_set->byte);
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_BARRIER: {
        REQUIRE(e->barrier->kind, "barrier kind");
        Hvdiff__Trace__BarrierDomain d = e->barrier->domain;
        if (e->barrier->kind == HVDIFF__TRACE__BARRIER_KIND__BARRIER_ISB) {
            if (d != HVDIFF__TRACE__BARRIER_DOMAIN__DOMAIN_UNSPECIFIED &&
                d != HVDIFF__TRACE__BARRIER_DOMAIN__DOMAIN_SY)
                return problem(buf, size, "ISB takes no shareability domain");
        } else if (d == HVDIFF__TRACE__BARRIER_DOMAIN__DOMAIN_UNSPECIFIED) {
            return problem(buf, size, "DMB/DSB needs a domain");
        }
        return 0;
    }
    case HVDIFF__TRACE__EVENT__KIND_TLBI:
        REQUIRE(e->tlbi->op, "TLBI operation");
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_SYSREG_WRITE:
        REQUIRE(e->sysreg_write->reg, "system register");
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_HINT:
        REQUIRE(e->hint->kind, "hint kind");
        return 0;
    case HVDIFF__TRACE__EVENT__KIND_LOCK:
        REQUIRE(e->lock->kind, "lock operation");
        return 0;
    default:
        return problem(buf, size, "event has no kind");
    }
}

int hvtrace_rules_check_event(hvtrace_rules *rules, const Hvdiff__Trace__Event *e, char *buf,
                              size_t size)
{
    if (e->cpu >= rules->cpus)
        return problem(buf, size, "cpu %u does not exist (the machine has %u)", e->cpu, rules->cpus);
    switch (e->principal) {
    case HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HYPERVISOR:
    case HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HOST:
        break;
    case HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_GUEST:
        if (vm_problem(rules, e->vm, e->vcpu, "principal", buf, size) != 0)
            return -1;
        break;
    default:
        return problem(buf, size, "no principal");
    }
    if (e->time != NULL && e->time->start_ns > e->time->end_ns)
        return problem(buf, size, "time interval ends (%llu) before it starts (%llu)",
                       (unsigned long long)e->time->end_ns, (unsigned long long)e->time->start_ns);
    if (kind_problem(rules, e, buf, size) != 0)
        return -1;
    if (rules->seen[e->cpu] && e->seq <= rules->last_seq[e->cpu])
        return problem(buf, size, "seq %llu on cpu %u does not increase (previous %llu)",
                       (unsigned long long)e->seq, e->cpu,
                       (unsigned long long)rules->last_seq[e->cpu]);
    rules->seen[e->cpu] = true;
    rules->last_seq[e->cpu] = e->seq;
    return 0;
}
