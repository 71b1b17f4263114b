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
    options.MsgId = message_id;
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
#endif
