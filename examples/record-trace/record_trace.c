/*
 * record-trace: how a hypervisor written in C records an hvdiff trace.
 *
 * The events below are what a pKVM-like hypervisor would see in a few
 * microseconds on a two-CPU machine: the host shares a page with the
 * hypervisor, a guest writes to its memory and faults on an unmapped page,
 * the hypervisor unmaps a page (clear the descriptor, DSB, TLBI, DSB) and
 * kicks the other CPU with an IPI. In a real hypervisor each append sits at
 * the place in the code where the event happens.
 *
 * Usage: record-trace [OUTPUT]   (default: example.hvtrace)
 * Read the result with `hvdiff` or the C reader (hvtrace_reader_open).
 */
#include <inttypes.h>
#include <stdio.h>

#include "hvtrace.h"

#define CPUS 2

/* Per-CPU sequence numbers and a fake clock; a real recorder would read
 * CNTVCT_EL0 or the kernel's clock instead. */
typedef struct recorder {
    hvtrace_writer *writer;
    uint64_t next_seq[CPUS];
    uint64_t now_ns;
} recorder;

/* Metadata for the next event on cpu, taking duration_ns. */
static hvtrace_meta next_meta(recorder *rec, uint32_t cpu,
                              Hvdiff__Trace__PrincipalKind principal,
                              uint32_t vm, uint32_t vcpu, uint64_t duration_ns,
                              const char *source)
{
    hvtrace_meta meta = {
        .cpu = cpu,
        .principal = principal,
        .vm = vm,
        .vcpu = vcpu,
        .seq = rec->next_seq[cpu]++,
        .has_time = true,
        .start_ns = rec->now_ns,
        .end_ns = rec->now_ns + duration_ns,
        .source = source,
    };
    rec->now_ns += duration_ns;
    return meta;
}

#define HOST HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HOST
#define GUEST HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_GUEST
#define HYP HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HYPERVISOR

static void record_events(recorder *rec)
{
    hvtrace_writer *w = rec->writer;
    hvtrace_meta m;

    /* CPU 0: the host shares page frame 0x8a with the hypervisor; it
     * returned 0. */
    const uint64_t share_args[] = { 0x8a };
    const int64_t share_result = 0;
    m = next_meta(rec, 0, HOST, 0, 0, 1200, "mem_protect.c:__pkvm_host_share_hyp");
    hvtrace_append_hypercall(w, &m, HVDIFF__TRACE__HYPERCALL_NUMBER__HC_HOST_SHARE_HYP,
                             share_args, 1, &share_result);

    /* CPU 1: guest VM 1, vCPU 0 stores 8 bytes to IPA 0x2000. */
    m = next_meta(rec, 1, GUEST, 1, 0, 5, NULL);
    hvtrace_append_access(w, &m, HVDIFF__TRACE__ADDRESS_SPACE__SPACE_IPA,
                          HVDIFF__TRACE__ACCESS_OP__OP_WRITE, 0x2000, 8,
                          0xdeadbeefcafef00dull,
                          HVDIFF__TRACE__ACCESS_OUTCOME__OUTCOME_OK, 0);

    /* CPU 1: the same guest reads IPA 0x3000, which its stage 2 does not
     * map; the hypervisor exits to the host. */
    m = next_meta(rec, 1, GUEST, 1, 0, 800, "handle_exit.c:kvm_handle_guest_abort");
    hvtrace_append_stage2_fault(w, &m, 0x3000, HVDIFF__TRACE__ACCESS_OP__OP_READ,
                                HVDIFF__TRACE__FAULT_RESOLUTION__RESOLUTION_EXIT_TO_HOST);

    /* CPU 0: the hypervisor unmaps IPA 0x4000 from the host's stage 2:
     * break the descriptor, complete the write, invalidate, complete the
     * invalidation. */
    m = next_meta(rec, 0, HYP, 0, 0, 10, "pgtable.c:stage2_unmap_walker");
    hvtrace_append_hyp_write(w, &m, HVDIFF__TRACE__MEMORY_ORDER__ORDER_PLAIN,
                             0x40012020, 0, 8);
    m = next_meta(rec, 0, HYP, 0, 0, 20, NULL);
    hvtrace_append_barrier(w, &m, HVDIFF__TRACE__BARRIER_KIND__BARRIER_DSB,
                           HVDIFF__TRACE__BARRIER_DOMAIN__DOMAIN_ISHST);
    m = next_meta(rec, 0, HYP, 0, 0, 40, NULL);
    /* TLBI IPAS2E1IS takes IPA >> 12. */
    hvtrace_append_tlbi(w, &m, HVDIFF__TRACE__TLBI_OP__TLBI_IPAS2E1IS, 0x4000 >> 12);
    m = next_meta(rec, 0, HYP, 0, 0, 60, NULL);
    hvtrace_append_barrier(w, &m, HVDIFF__TRACE__BARRIER_KIND__BARRIER_DSB,
                           HVDIFF__TRACE__BARRIER_DOMAIN__DOMAIN_ISH);

    /* CPU 0 raises SGI 1 at CPU 1, which takes it. */
    m = next_meta(rec, 0, HOST, 0, 0, 30, NULL);
    hvtrace_append_ipi_send(w, &m, 1, 0, 1);
    m = next_meta(rec, 1, HOST, 0, 0, 15, NULL);
    hvtrace_append_ipi_delivery(w, &m, 0, 1);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "example.hvtrace";

    Hvdiff__Trace__VirtualMachine vm = HVDIFF__TRACE__VIRTUAL_MACHINE__INIT;
    vm.id = 1;
    vm.vcpus = 2;
    vm.protected_ = 1;
    Hvdiff__Trace__VirtualMachine *vms[] = { &vm };

    Hvdiff__Trace__Machine machine = HVDIFF__TRACE__MACHINE__INIT;
    machine.cpus = CPUS;
    machine.physical_pages = 256;
    machine.page_table_levels = 4;
    machine.words_per_page = 8;
    machine.n_vms = 1;
    machine.vms = vms;

    Hvdiff__Trace__Header header = HVDIFF__TRACE__HEADER__INIT;
    header.format_version = HVTRACE_SCHEMA_VERSION;
    header.machine = &machine;
    header.recorder = "record-trace example (hvtrace C library)";
    header.variant = "correct";
    header.description = "host share, guest access and fault, unmap with TLBI, IPI";

    hvtrace_error err;
    recorder rec = { .writer = hvtrace_open(path, &header, &err) };
    if (rec.writer == NULL) {
        fprintf(stderr, "record-trace: %s\n", err.message);
        return 1;
    }

    /* Appends return -1 on error, and the first error sticks: later appends
     * do nothing and hvtrace_close reports it. So a recorder on a hot path
     * can leave the appends unchecked and check the close. */
    record_events(&rec);
    uint64_t written = hvtrace_writer_event_count(rec.writer);

    if (hvtrace_close(rec.writer, &err) != 0) {
        fprintf(stderr, "record-trace: %s\n", err.message);
        return 1;
    }
    printf("wrote %" PRIu64 " events to %s\n", written, path);
    return 0;
}
