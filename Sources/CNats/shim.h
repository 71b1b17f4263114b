#ifndef VOX_CNATS_SHIM_H
#define VOX_CNATS_SHIM_H
#include <nats/nats.h>
#include <stdbool.h>

/* Creates a JetStream stream holding `subject` (file storage, `replicas` copies, publish de-duplication over
 * `duplicates_ns`), or accepts an existing one of that name. */
static inline natsStatus vox_nats_add_stream(jsCtx *js, const char *name, const char *subject, int replicas,
                                             int64_t duplicates_ns, jsErrCode *error) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char *subjects[1] = {subject};
    config.Name = name;
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = replicas;
    config.Duplicates = duplicates_ns;
    jsStreamInfo *info = NULL;
    natsStatus status = js_AddStream(&info, js, &config, NULL, error);
    if (status == NATS_OK) jsStreamInfo_Destroy(info);
    if (status != NATS_OK && error && *error == JSStreamNameExistErr) status = NATS_OK;
    return status;
}

/* Publishes with a de-duplication id; reports the stream sequence and whether the server saw the id before. */
static inline natsStatus vox_nats_publish(jsCtx *js, const char *subject, const void *data, int length,
                                          const char *message_id, uint64_t *sequence, bool *duplicate,
                                          jsErrCode *error) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    if (message_id && message_id[0]) options.MsgId = message_id;
    jsPubAck *ack = NULL;
    natsStatus status = js_Publish(&ack, js, subject, data, length, &options, error);
    if (status == NATS_OK && ack) {
        *sequence = ack->Sequence;
        *duplicate = ack->Duplicate;
        jsPubAck_Destroy(ack);
    }
    return status;
}

/* A durable pull consumer on `stream`, explicit acknowledgements, redelivery after `ack_wait_ns`. */
static inline natsStatus vox_nats_pull_subscribe(natsSubscription **subscription, jsCtx *js, const char *stream,
                                                 const char *subject, const char *durable, int64_t ack_wait_ns,
                                                 jsErrCode *error) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream;
    options.Config.AckPolicy = js_AckExplicit;
    options.Config.AckWait = ack_wait_ns;
    return js_PullSubscribe(subscription, js, subject, durable, NULL, &options, error);
}

/* The stream sequence and delivery count of a JetStream message. */
static inline natsStatus vox_nats_metadata(natsMsg *message, uint64_t *sequence, uint64_t *delivered) {
    jsMsgMetaData *meta = NULL;
    natsStatus status = natsMsg_GetMetaData(&meta, message);
    if (status == NATS_OK && meta) {
        *sequence = meta->Sequence.Stream;
        *delivered = meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
    }
    return status;
}
/* Counts asynchronous publishes the server refused or never acknowledged (the closure is an int64_t). */
static void vox_nats_count_failure(jsCtx *js, jsPubAckErr *error, void *closure) {
    (void)js;
    (void)error;
    __atomic_fetch_add((int64_t *)closure, 1, __ATOMIC_RELAXED);
}

/* A JetStream context whose asynchronous publishes count their failures in `failures`. */
static inline natsStatus vox_nats_jetstream(jsCtx **js, natsConnection *connection, int64_t *failures) {
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.ErrHandler = vox_nats_count_failure;
    options.PublishAsync.ErrHandlerClosure = failures;
    options.PublishAsync.MaxPending = 4096;
    return natsConnection_JetStream(js, connection, &options);
}

/* Publishes without waiting for the acknowledgement (an empty `message_id` sets none). */
static inline natsStatus vox_nats_publish_async(jsCtx *js, const char *subject, const void *data, int length,
                                                const char *message_id) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    if (message_id && message_id[0]) options.MsgId = message_id;
    return js_PublishAsync(js, subject, data, length, &options);
}

/* Waits at most `wait_ms` for every outstanding asynchronous publish to be acknowledged. */
static inline natsStatus vox_nats_publish_complete(jsCtx *js, int64_t wait_ms) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = wait_ms;
    return js_PublishAsyncComplete(js, &options);
}

/* Forgets every asynchronous publish still waiting for its acknowledgement (after a failed wait: a message lost
   with a server would otherwise hold every later wait until it times out). Retried publishes carry the same ids,
   so a forgotten message that was stored after all is dropped as a duplicate. */
static inline void vox_nats_publish_abandon(jsCtx *js) {
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, js) == NATS_OK) natsMsgList_Destroy(&pending);
}

/* An ephemeral pull consumer reading `stream` in order from sequence `start`, without acknowledgements. */
static inline natsStatus vox_nats_reader(natsSubscription **subscription, jsCtx *js, const char *stream,
                                         const char *subject, uint64_t start, jsErrCode *error) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream;
    options.Config.AckPolicy = js_AckNone;
    options.Config.DeliverPolicy = start > 1 ? js_DeliverByStartSequence : js_DeliverAll;
    options.Config.OptStartSeq = start > 1 ? start : 0;
    options.Config.InactiveThreshold = (int64_t)60 * 1000000000;
    return js_PullSubscribe(subscription, js, subject, NULL, NULL, &options, error);
}

/* The durable consumer's backlog: messages not yet delivered, and delivered but not acknowledged. */
static inline natsStatus vox_nats_consumer_pending(jsCtx *js, const char *stream, const char *durable,
                                                   uint64_t *pending, int64_t *unacknowledged, jsErrCode *error) {
    jsConsumerInfo *info = NULL;
    natsStatus status = js_GetConsumerInfo(&info, js, stream, durable, NULL, error);
    if (status == NATS_OK && info) {
        *pending = info->NumPending;
        *unacknowledged = info->NumAckPending;
        jsConsumerInfo_Destroy(info);
    }
    return status;
}
/* How many messages `stream` holds, and the sequence of its last one (0 when empty). */
static inline natsStatus vox_nats_stream_messages(jsCtx *js, const char *stream, uint64_t *messages,
                                                  uint64_t *last, jsErrCode *error) {
    jsStreamInfo *info = NULL;
    natsStatus status = js_GetStreamInfo(&info, js, stream, NULL, error);
    if (status == NATS_OK && info) {
        *messages = info->State.Msgs;
        *last = info->State.LastSeq;
        jsStreamInfo_Destroy(info);
    }
    return status;
}
#endif
