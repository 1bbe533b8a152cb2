/*
 * One convenience append per event kind. Each builds the event and its kind
 * message on the stack, pointing at the caller's data, so recording an event
 * allocates nothing; hvtrace_append_event validates and writes it.
 */
#include "hvtrace_internal.h"

/* Fills the fields every event has from meta; interval is storage for the
 * optional time. */
static void fill_meta(Hvdiff__Trace__Event *event, Hvdiff__Trace__Interval *interval,
                      const hvtrace_meta *meta)
{
    if (meta == NULL)
        return;
    event->cpu = meta->cpu;
    event->principal = meta->principal;
    event->vm = meta->vm;
    event->vcpu = meta->vcpu;
    event->seq = meta->seq;
    if (meta->has_time) {
        interval->start_ns = meta->start_ns;
        interval->end_ns = meta->end_ns;
        event->time = interval;
    }
    if (meta->source != NULL)
        /* protobuf-c's member is char * but packing only reads it. */
        event->source = (char *)meta->source;
}

/* Declares the event, its interval and its kind message `kind` of type
 * `type`, and fills the metadata. */
#define BEGIN_EVENT(type, init, kind)                  \
    Hvdiff__Trace__Event event = HVDIFF__TRACE__EVENT__INIT;  \
    Hvdiff__Trace__Interval interval = HVDIFF__TRACE__INTERVAL__INIT; \
    type kind = init;                                   \
    fill_meta(&event, &interval, meta)

int hvtrace_append_hypercall(hvtrace_writer *w, const hvtrace_meta *meta,
                             Hvdiff__Trace__HypercallNumber call,
                             const uint64_t *args, size_t n_args,
                             const int64_t *recorded_return)
{
    BEGIN_EVENT(Hvdiff__Trace__Hypercall, HVDIFF__TRACE__HYPERCALL__INIT, hypercall);
    Hvdiff__Trace__ReturnValue ret = HVDIFF__TRACE__RETURN_VALUE__INIT;
    hypercall.call = call;
    hypercall.n_args = n_args; /* with args NULL, validation refuses n_args > 0 */
    hypercall.args = (uint64_t *)args;
    if (recorded_return != NULL) {
        ret.value = *recorded_return;
        hypercall.recorded_return = &ret;
    }
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYPERCALL;
    event.hypercall = &hypercall;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_access(hvtrace_writer *w, const hvtrace_meta *meta,
                          Hvdiff__Trace__AddressSpace space,
                          Hvdiff__Trace__AccessOp op, uint64_t address,
                          uint32_t width, uint64_t value,
                          Hvdiff__Trace__AccessOutcome recorded_outcome,
                          uint64_t recorded_value)
{
    BEGIN_EVENT(Hvdiff__Trace__MemoryAccess, HVDIFF__TRACE__MEMORY_ACCESS__INIT, access);
    access.space = space;
    access.op = op;
    access.address = address;
    access.width = width;
    access.value = value;
    access.recorded_outcome = recorded_outcome;
    access.recorded_value = recorded_value;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_ACCESS;
    event.access = &access;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_stage2_fault(hvtrace_writer *w, const hvtrace_meta *meta,
                                uint64_t address, Hvdiff__Trace__AccessOp op,
                                Hvdiff__Trace__FaultResolution recorded_resolution)
{
    BEGIN_EVENT(Hvdiff__Trace__Stage2Fault, HVDIFF__TRACE__STAGE2_FAULT__INIT, fault);
    fault.address = address;
    fault.op = op;
    fault.recorded_resolution = recorded_resolution;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_STAGE2_FAULT;
    event.stage2_fault = &fault;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_ipi_send(hvtrace_writer *w, const hvtrace_meta *meta,
                            uint32_t target_cpu, uint32_t target_vcpu, uint32_t intid)
{
    BEGIN_EVENT(Hvdiff__Trace__IpiSend, HVDIFF__TRACE__IPI_SEND__INIT, send);
    send.target_cpu = target_cpu;
    send.target_vcpu = target_vcpu;
    send.intid = intid;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_IPI_SEND;
    event.ipi_send = &send;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_ipi_delivery(hvtrace_writer *w, const hvtrace_meta *meta,
                                uint32_t source_cpu, uint32_t intid)
{
    BEGIN_EVENT(Hvdiff__Trace__IpiDelivery, HVDIFF__TRACE__IPI_DELIVERY__INIT, delivery);
    delivery.source_cpu = source_cpu;
    delivery.intid = intid;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_IPI_DELIVERY;
    event.ipi_delivery = &delivery;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_vcpu_enter(hvtrace_writer *w, const hvtrace_meta *meta,
                              uint32_t vm, uint32_t vcpu)
{
    BEGIN_EVENT(Hvdiff__Trace__VcpuEnter, HVDIFF__TRACE__VCPU_ENTER__INIT, enter);
    enter.vm = vm;
    enter.vcpu = vcpu;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_VCPU_ENTER;
    event.vcpu_enter = &enter;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_vcpu_exit(hvtrace_writer *w, const hvtrace_meta *meta,
                             uint32_t vm, uint32_t vcpu, Hvdiff__Trace__ExitReason reason)
{
    BEGIN_EVENT(Hvdiff__Trace__VcpuExit, HVDIFF__TRACE__VCPU_EXIT__INIT, exit_);
    exit_.vm = vm;
    exit_.vcpu = vcpu;
    exit_.reason = reason;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_VCPU_EXIT;
    event.vcpu_exit = &exit_;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_hyp_write(hvtrace_writer *w, const hvtrace_meta *meta,
                             Hvdiff__Trace__MemoryOrder order, uint64_t address,
                             uint64_t value, uint32_t width)
{
    BEGIN_EVENT(Hvdiff__Trace__HypMemWrite, HVDIFF__TRACE__HYP_MEM_WRITE__INIT, mem_write);
    mem_write.order = order;
    mem_write.address = address;
    mem_write.value = value;
    mem_write.width = width;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYP_WRITE;
    event.hyp_write = &mem_write;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_hyp_read(hvtrace_writer *w, const hvtrace_meta *meta,
                            Hvdiff__Trace__MemoryOrder order, uint64_t address,
                            uint64_t value, uint32_t width)
{
    BEGIN_EVENT(Hvdiff__Trace__HypMemRead, HVDIFF__TRACE__HYP_MEM_READ__INIT, mem_read);
    mem_read.order = order;
    mem_read.address = address;
    mem_read.value = value;
    mem_read.width = width;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYP_READ;
    event.hyp_read = &mem_read;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_hyp_init(hvtrace_writer *w, const hvtrace_meta *meta,
                            uint64_t address, uint64_t size)
{
    BEGIN_EVENT(Hvdiff__Trace__HypMemInit, HVDIFF__TRACE__HYP_MEM_INIT__INIT, init);
    init.address = address;
    init.size = size;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYP_INIT;
    event.hyp_init = &init;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_hyp_free(hvtrace_writer *w, const hvtrace_meta *meta,
                            uint64_t address, uint64_t size)
{
    BEGIN_EVENT(Hvdiff__Trace__HypMemFree, HVDIFF__TRACE__HYP_MEM_FREE__INIT, free_);
    free_.address = address;
    free_.size = size;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYP_FREE;
    event.hyp_free = &free_;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_hyp_set(hvtrace_writer *w, const hvtrace_meta *meta,
                           uint64_t address, uint64_t size, uint32_t byte)
{
    BEGIN_EVENT(Hvdiff__Trace__HypMemSet, HVDIFF__TRACE__HYP_MEM_SET__INIT, set);
    set.address = address;
    set.size = size;
    set.byte = byte;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYP_SET;
    event.hyp_set = &set;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_barrier(hvtrace_writer *w, const hvtrace_meta *meta,
                           Hvdiff__Trace__BarrierKind kind,
                           Hvdiff__Trace__BarrierDomain domain)
{
    BEGIN_EVENT(Hvdiff__Trace__Barrier, HVDIFF__TRACE__BARRIER__INIT, barrier);
    barrier.kind = kind;
    barrier.domain = domain;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_BARRIER;
    event.barrier = &barrier;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_tlbi(hvtrace_writer *w, const hvtrace_meta *meta,
                        Hvdiff__Trace__TlbiOp op, uint64_t operand)
{
    BEGIN_EVENT(Hvdiff__Trace__Tlbi, HVDIFF__TRACE__TLBI__INIT, tlbi);
    tlbi.op = op;
    tlbi.operand = operand;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_TLBI;
    event.tlbi = &tlbi;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_sysreg_write(hvtrace_writer *w, const hvtrace_meta *meta,
                                Hvdiff__Trace__Sysreg reg, uint64_t value)
{
    BEGIN_EVENT(Hvdiff__Trace__SysregWrite, HVDIFF__TRACE__SYSREG_WRITE__INIT, sysreg);
    sysreg.reg = reg;
    sysreg.value = value;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_SYSREG_WRITE;
    event.sysreg_write = &sysreg;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_hint(hvtrace_writer *w, const hvtrace_meta *meta,
                        Hvdiff__Trace__HintKind kind, uint64_t location, uint64_t value)
{
    BEGIN_EVENT(Hvdiff__Trace__Hint, HVDIFF__TRACE__HINT__INIT, hint);
    hint.kind = kind;
    hint.location = location;
    hint.value = value;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_HINT;
    event.hint = &hint;
    return hvtrace_append_event(w, &event);
}

int hvtrace_append_lock(hvtrace_writer *w, const hvtrace_meta *meta,
                        Hvdiff__Trace__LockKind kind, uint64_t address)
{
    BEGIN_EVENT(Hvdiff__Trace__LockOp, HVDIFF__TRACE__LOCK_OP__INIT, lock);
    lock.kind = kind;
    lock.address = address;
    event.kind_case = HVDIFF__TRACE__EVENT__KIND_LOCK;
    event.lock = &lock;
    return hvtrace_append_event(w, &event);
}
