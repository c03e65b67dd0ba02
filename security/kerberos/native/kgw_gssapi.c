/*
 * The acceptor (server) side of GSS-API Kerberos V5 for the gateway: a Node-API binding over MIT
 * Kerberos' libgssapi_krb5. It exposes only what SASL/GSSAPI (RFC 4752) needs on the server:
 *
 *   acquireAcceptor(keytabPath, servicePrincipal) -> cred    gss_acquire_cred_from(keytab=…)
 *   accept(cred, context|null, token) -> Promise<{context, complete, output, clientName?, anonymous?}>
 *                                                              gss_accept_sec_context (thread pool)
 *   wrap(context, message) -> Buffer                           gss_wrap, integrity only (no confidentiality)
 *   unwrap(context, token) -> Buffer                           gss_unwrap
 *   release(context)                                           gss_delete_sec_context
 *   defaultRealm() -> string | null                            krb5_get_default_realm (krb5.conf)
 *
 * Why not the `kerberos` npm package: its KerberosServer accepts a context but has no wrap/unwrap, so
 * it cannot do RFC 4752's security-layer exchange that every Kafka client performs after the context
 * is established. All Kerberos cryptography, ticket and authenticator checks, clock skew and the
 * replay cache stay in MIT's library; this file only moves bytes between it and JavaScript.
 *
 * Built by deploy/setup.sh (cc -shared against Node's headers); loaded by ../gss-native.ts.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_NAPI(env, call)                                                                   \
  do {                                                                                          \
    if ((call) != napi_ok) {                                                                    \
      napi_throw_error((env), "KGW_GSSAPI", "Node-API call failed: " #call);                   \
      return NULL;                                                                              \
    }                                                                                           \
  } while (0)

typedef struct {
  gss_cred_id_t cred;
} cred_box;

typedef struct {
  gss_ctx_id_t ctx;
  int busy; /* an accept step is running on the thread pool */
} ctx_box;

static gss_OID_desc krb5_mech = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};

/* "<what>: <GSS major text>: <mechanism minor text>" into out. */
static void gss_error_text(const char *what, OM_uint32 major, OM_uint32 minor, char *out, size_t len) {
  size_t used = (size_t)snprintf(out, len, "%s", what);
  OM_uint32 codes[2] = {major, minor};
  int types[2] = {GSS_C_GSS_CODE, GSS_C_MECH_CODE};
  for (int i = 0; i < 2; i++) {
    if (codes[i] == 0) continue;
    OM_uint32 msg_ctx = 0;
    do {
      OM_uint32 min2;
      gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
      if (gss_display_status(&min2, codes[i], types[i], &krb5_mech, &msg_ctx, &text) != GSS_S_COMPLETE) break;
      if (used < len) used += (size_t)snprintf(out + used, len - used, ": %.*s", (int)text.length, (char *)text.value);
      gss_release_buffer(&min2, &text);
    } while (msg_ctx != 0);
  }
}

static napi_value throw_gss(napi_env env, const char *what, OM_uint32 major, OM_uint32 minor) {
  char msg[1024];
  gss_error_text(what, major, minor, msg, sizeof msg);
  napi_throw_error(env, "KGW_GSSAPI", msg);
  return NULL;
}

static void finalize_cred(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  cred_box *box = data;
  OM_uint32 minor;
  if (box->cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &box->cred);
  free(box);
}

static void finalize_ctx(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ctx_box *box = data;
  OM_uint32 minor;
  if (box->ctx != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &box->ctx, GSS_C_NO_BUFFER);
  free(box);
}

/* A JS string argument copied into a malloc'd C string (caller frees); NULL after throwing. */
static char *string_arg(napi_env env, napi_value v, const char *name) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a string", name);
    napi_throw_type_error(env, "KGW_GSSAPI", msg);
    return NULL;
  }
  char *s = malloc(len + 1);
  if (s == NULL || napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    napi_throw_error(env, "KGW_GSSAPI", "out of memory");
    return NULL;
  }
  return s;
}

static void *external_arg(napi_env env, napi_value v, const char *name) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s is not a handle from this module", name);
    napi_throw_type_error(env, "KGW_GSSAPI", msg);
    return NULL;
  }
  return data;
}

static int buffer_arg(napi_env env, napi_value v, void **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is || napi_get_buffer_info(env, v, data, len) != napi_ok) {
    napi_throw_type_error(env, "KGW_GSSAPI", "expected a Buffer");
    return 0;
  }
  return 1;
}

/* acquireAcceptor(keytabPath, servicePrincipal): acceptor credentials from that keytab, for that name only. */
static napi_value acquire_acceptor(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char *keytab = string_arg(env, argv[0], "keytab");
  if (keytab == NULL) return NULL;
  char *principal = string_arg(env, argv[1], "servicePrincipal");
  if (principal == NULL) {
    free(keytab);
    return NULL;
  }
  OM_uint32 major = GSS_S_COMPLETE, minor = 0;
  gss_name_t name = GSS_C_NO_NAME; /* "*": any principal the keytab holds keys for */
  if (strcmp(principal, "*") != 0) {
    gss_buffer_desc name_buf = {strlen(principal), principal};
    major = gss_import_name(&minor, &name_buf, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &name);
  }
  free(principal);
  if (GSS_ERROR(major)) {
    free(keytab);
    return throw_gss(env, "service principal", major, minor);
  }
  gss_key_value_element_desc element = {"keytab", keytab};
  gss_key_value_set_desc store = {1, &element};
  gss_OID_set_desc mechs = {1, &krb5_mech};
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT, &store, &cred, NULL, NULL);
  OM_uint32 min2;
  if (name != GSS_C_NO_NAME) gss_release_name(&min2, &name);
  free(keytab);
  if (GSS_ERROR(major)) return throw_gss(env, "acceptor credentials from the keytab", major, minor);
  cred_box *box = malloc(sizeof *box);
  if (box == NULL) {
    gss_release_cred(&min2, &cred);
    napi_throw_error(env, "KGW_GSSAPI", "out of memory");
    return NULL;
  }
  box->cred = cred;
  napi_value out;
  if (napi_create_external(env, box, finalize_cred, NULL, &out) != napi_ok) {
    finalize_cred(env, box, NULL);
    napi_throw_error(env, "KGW_GSSAPI", "napi_create_external failed");
    return NULL;
  }
  return out;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref cred_ref, ctx_ref;
  cred_box *cred;
  ctx_box *ctx;
  gss_buffer_desc input;
  /* results, filled on the thread pool */
  OM_uint32 major, minor;
  gss_buffer_desc output;
  char *client_name;
  int wrong_mech;
  OM_uint32 ret_flags;
} accept_job;

static void accept_execute(napi_env env, void *data) {
  (void)env;
  accept_job *job = data;
  gss_name_t src = GSS_C_NO_NAME;
  gss_OID mech = GSS_C_NO_OID;
  job->output = (gss_buffer_desc)GSS_C_EMPTY_BUFFER;
  job->major = gss_accept_sec_context(&job->minor, &job->ctx->ctx, job->cred->cred, &job->input,
                                      GSS_C_NO_CHANNEL_BINDINGS, &src, &mech, &job->output, &job->ret_flags, NULL, NULL);
  if (!GSS_ERROR(job->major) && !(job->major & GSS_S_CONTINUE_NEEDED)) {
    OM_uint32 minor;
    if (mech == GSS_C_NO_OID || mech->length != krb5_mech.length ||
        memcmp(mech->elements, krb5_mech.elements, krb5_mech.length) != 0) {
      job->wrong_mech = 1;
    } else {
      gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
      OM_uint32 m = gss_display_name(&minor, src, &text, NULL);
      if (GSS_ERROR(m)) {
        job->major = m;
        job->minor = minor;
      } else {
        job->client_name = malloc(text.length + 1);
        if (job->client_name != NULL) {
          memcpy(job->client_name, text.value, text.length);
          job->client_name[text.length] = '\0';
        }
        gss_release_buffer(&minor, &text);
      }
    }
  }
  if (src != GSS_C_NO_NAME) {
    OM_uint32 minor;
    gss_release_name(&minor, &src);
  }
}

static void accept_complete(napi_env env, napi_status status, void *data) {
  accept_job *job = data;
  OM_uint32 minor;
  napi_value result = NULL, error = NULL, ctx_value = NULL;
  char msg[1024] = "";
  job->ctx->busy = 0;
  napi_get_reference_value(env, job->ctx_ref, &ctx_value);
  int complete = !GSS_ERROR(job->major) && !(job->major & GSS_S_CONTINUE_NEEDED);
  if (status != napi_ok) snprintf(msg, sizeof msg, "accept step did not run");
  else if (GSS_ERROR(job->major)) gss_error_text("accepting the client's GSS-API token", job->major, job->minor, msg, sizeof msg);
  else if (job->wrong_mech) snprintf(msg, sizeof msg, "the client negotiated a mechanism other than Kerberos V5");
  else if (complete && job->client_name == NULL) snprintf(msg, sizeof msg, "out of memory");
  if (msg[0] != '\0') {
    /* A failed context cannot continue: free it now rather than at garbage collection. */
    if (job->ctx->ctx != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &job->ctx->ctx, GSS_C_NO_BUFFER);
    napi_value text;
    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
    napi_create_error(env, NULL, text, &error);
    napi_reject_deferred(env, job->deferred, error);
  } else {
    napi_value out_buf, complete_value;
    void *copy;
    napi_create_object(env, &result);
    napi_create_buffer_copy(env, job->output.length, job->output.value, &copy, &out_buf);
    napi_get_boolean(env, complete, &complete_value);
    napi_set_named_property(env, result, "context", ctx_value);
    napi_set_named_property(env, result, "complete", complete_value);
    napi_set_named_property(env, result, "output", out_buf);
    if (complete) {
      napi_value name, anonymous;
      napi_create_string_utf8(env, job->client_name, NAPI_AUTO_LENGTH, &name);
      napi_set_named_property(env, result, "clientName", name);
      napi_get_boolean(env, (job->ret_flags & GSS_C_ANON_FLAG) != 0, &anonymous);
      napi_set_named_property(env, result, "anonymous", anonymous);
    }
    napi_resolve_deferred(env, job->deferred, result);
  }
  gss_release_buffer(&minor, &job->output);
  free(job->client_name);
  free(job->input.value);
  napi_delete_reference(env, job->cred_ref);
  napi_delete_reference(env, job->ctx_ref);
  napi_delete_async_work(env, job->work);
  free(job);
}

/* accept(cred, context | null, token): one gss_accept_sec_context step, off the event loop. */
static napi_value accept_step(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  cred_box *cred = external_arg(env, argv[0], "cred");
  if (cred == NULL) return NULL;
  napi_valuetype ctx_type;
  CHECK_NAPI(env, napi_typeof(env, argv[1], &ctx_type));
  napi_value ctx_value = argv[1];
  ctx_box *ctx;
  if (ctx_type == napi_null || ctx_type == napi_undefined) {
    ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
      napi_throw_error(env, "KGW_GSSAPI", "out of memory");
      return NULL;
    }
    ctx->ctx = GSS_C_NO_CONTEXT;
    if (napi_create_external(env, ctx, finalize_ctx, NULL, &ctx_value) != napi_ok) {
      free(ctx);
      napi_throw_error(env, "KGW_GSSAPI", "napi_create_external failed");
      return NULL;
    }
  } else {
    ctx = external_arg(env, argv[1], "context");
    if (ctx == NULL) return NULL;
    if (ctx->busy) {
      napi_throw_error(env, "KGW_GSSAPI", "an accept step is already running on this context");
      return NULL;
    }
  }
  void *token;
  size_t token_len;
  if (!buffer_arg(env, argv[2], &token, &token_len)) return NULL;
  accept_job *job = calloc(1, sizeof *job);
  if (job == NULL || (job->input.value = malloc(token_len ? token_len : 1)) == NULL) {
    free(job);
    napi_throw_error(env, "KGW_GSSAPI", "out of memory");
    return NULL;
  }
  memcpy(job->input.value, token, token_len);
  job->input.length = token_len;
  job->cred = cred;
  job->ctx = ctx;
  napi_value promise, resource;
  CHECK_NAPI(env, napi_create_promise(env, &job->deferred, &promise));
  CHECK_NAPI(env, napi_create_reference(env, argv[0], 1, &job->cred_ref));
  CHECK_NAPI(env, napi_create_reference(env, ctx_value, 1, &job->ctx_ref));
  CHECK_NAPI(env, napi_create_string_utf8(env, "kgw.gssapi.accept", NAPI_AUTO_LENGTH, &resource));
  CHECK_NAPI(env, napi_create_async_work(env, NULL, resource, accept_execute, accept_complete, job, &job->work));
  ctx->busy = 1;
  CHECK_NAPI(env, napi_queue_async_work(env, job->work));
  return promise;
}

static ctx_box *established_ctx(napi_env env, napi_value v) {
  ctx_box *ctx = external_arg(env, v, "context");
  if (ctx == NULL) return NULL;
  if (ctx->ctx == GSS_C_NO_CONTEXT || ctx->busy) {
    napi_throw_error(env, "KGW_GSSAPI", "the security context is not established");
    return NULL;
  }
  return ctx;
}

/* wrap(context, message): a GSS wrap token with integrity protection only (conf_req_flag = 0). */
static napi_value wrap(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  ctx_box *ctx = established_ctx(env, argv[0]);
  if (ctx == NULL) return NULL;
  gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
  if (!buffer_arg(env, argv[1], &in.value, &in.length)) return NULL;
  OM_uint32 minor;
  OM_uint32 major = gss_wrap(&minor, ctx->ctx, 0, GSS_C_QOP_DEFAULT, &in, NULL, &out);
  if (GSS_ERROR(major)) return throw_gss(env, "gss_wrap", major, minor);
  napi_value result;
  void *copy;
  napi_status st = napi_create_buffer_copy(env, out.length, out.value, &copy, &result);
  gss_release_buffer(&minor, &out);
  CHECK_NAPI(env, st);
  return result;
}

/* unwrap(context, token): the message inside a client's wrap token, after checking its integrity. */
static napi_value unwrap(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  ctx_box *ctx = established_ctx(env, argv[0]);
  if (ctx == NULL) return NULL;
  gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
  if (!buffer_arg(env, argv[1], &in.value, &in.length)) return NULL;
  OM_uint32 minor;
  OM_uint32 major = gss_unwrap(&minor, ctx->ctx, &in, &out, NULL, NULL);
  if (GSS_ERROR(major)) return throw_gss(env, "gss_unwrap", major, minor);
  napi_value result;
  void *copy;
  napi_status st = napi_create_buffer_copy(env, out.length, out.value, &copy, &result);
  gss_release_buffer(&minor, &out);
  CHECK_NAPI(env, st);
  return result;
}

/* release(context): deletes the security context now (idempotent; GC would do it later). */
static napi_value release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  ctx_box *ctx = external_arg(env, argv[0], "context");
  if (ctx == NULL) return NULL;
  OM_uint32 minor;
  /* A running accept step still uses the context; its completion or the finalizer frees it. */
  if (!ctx->busy && ctx->ctx != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &ctx->ctx, GSS_C_NO_BUFFER);
  return NULL;
}

/* defaultRealm(): krb5.conf's default_realm (KRB5_CONFIG honoured), or null when none is set. */
static napi_value default_realm(napi_env env, napi_callback_info info) {
  (void)info;
  krb5_context kctx;
  napi_value result;
  if (krb5_init_context(&kctx) != 0) {
    napi_get_null(env, &result);
    return result;
  }
  char *realm = NULL;
  if (krb5_get_default_realm(kctx, &realm) == 0 && realm != NULL) {
    napi_create_string_utf8(env, realm, NAPI_AUTO_LENGTH, &result);
    krb5_free_default_realm(kctx, realm);
  } else {
    napi_get_null(env, &result);
  }
  krb5_free_context(kctx);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"acquireAcceptor", NULL, acquire_acceptor, NULL, NULL, NULL, napi_enumerable, NULL},
      {"accept", NULL, accept_step, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wrap", NULL, wrap, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unwrap", NULL, unwrap, NULL, NULL, NULL, napi_enumerable, NULL},
      {"release", NULL, release, NULL, NULL, NULL, napi_enumerable, NULL},
      {"defaultRealm", NULL, default_realm, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
