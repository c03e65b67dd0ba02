/*
 * AES-256-GCM for all records of a batch in one call, on a cipher context kept per data key: a
 * Node-API binding over the OpenSSL that Node itself carries (its EVP_* symbols are exported by the
 * node executable and its headers ship under include/node/openssl, so nothing links libcrypto).
 *
 * Why: Node's crypto API builds a fresh EVP_CIPHER_CTX, fetches the cipher and expands the key for
 * every createCipheriv/createDecipheriv, which dominates the cost of a small record. Here the key
 * schedule is expanded once per data key and each record only sets its IV (EVP_CipherInit_ex with
 * a NULL cipher and key keeps both), then AAD, data, tag. The bytes produced are exactly those of
 * the JavaScript engine (../gcm-js.ts), which tests compare in both directions.
 *
 *   newContext(key: Buffer[32]) -> context      two EVP_CIPHER_CTX (seal, open), key schedules expanded
 *   release(context)                            frees both now; later calls on it throw
 *   seal(context, heads, recordKeys, inputs, outputs) -> undefined
 *   open(context, heads, recordKeys, inputs, outputs) -> index of the first unauthentic job, or -1
 *
 * Per job i: IV = last 12 bytes of heads[i]; AAD = heads[i] || int32 BE length of recordKeys[i]
 * (-1 for null) || recordKeys[i]; seal writes ciphertext || 16-byte tag into outputs[i], open
 * checks the tag at the end of inputs[i] and writes the plaintext (wiped again if the tag fails).
 * See ../gcm.ts. Built by build.sh (deploy/setup.sh); loaded by ../gcm-native.ts.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_BYTES 32
#define IV_BYTES 12
#define TAG_BYTES 16

#define CHECK_NAPI(env, call)                                                                   \
  do {                                                                                          \
    if ((call) != napi_ok) {                                                                    \
      napi_throw_error((env), "KGW_GCM", "Node-API call failed: " #call);                      \
      return NULL;                                                                              \
    }                                                                                           \
  } while (0)

/*
 * Key material on this side: the caller's key bytes are read once by EVP_CipherInit_ex and never
 * copied here; the only copy is the expanded key schedule (and GHASH key) inside each OpenSSL
 * context. EVP_CIPHER_CTX_free hands the context to the provider's freectx, which for AES-GCM in
 * OpenSSL 3 is OPENSSL_clear_free of the whole context (key schedule included): release() is
 * therefore the wipe, and ../gcm-engine.ts calls it before zeroing the JS key. The box itself holds
 * only pointers; it is cleansed anyway so a freed box never points at a freed context.
 */
typedef struct {
  EVP_CIPHER_CTX *ctx[2]; /* [1] seals, [0] opens */
  int released;
} gcm_box;

static void box_release(gcm_box *box) {
  for (int i = 0; i < 2; i++) {
    if (box->ctx[i]) EVP_CIPHER_CTX_free(box->ctx[i]); /* the provider clears the key schedule */
    box->ctx[i] = NULL;
  }
  box->released = 1;
}

static void box_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  box_release((gcm_box *)data);
  OPENSSL_cleanse(data, sizeof(gcm_box));
  free(data);
}

static napi_value new_context(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_buffer = false;
  if (argc < 1 || napi_is_buffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, "KGW_GCM", "newContext(key): key must be a Buffer");
    return NULL;
  }
  void *data;
  size_t len;
  CHECK_NAPI(env, napi_get_buffer_info(env, argv[0], &data, &len));
  if (len != KEY_BYTES) {
    napi_throw_range_error(env, "KGW_GCM", "newContext(key): an AES-256 key is 32 bytes");
    return NULL;
  }
  gcm_box *box = calloc(1, sizeof *box);
  if (!box) {
    napi_throw_error(env, "KGW_GCM", "out of memory");
    return NULL;
  }
  for (int enc = 0; enc < 2; enc++) {
    box->ctx[enc] = EVP_CIPHER_CTX_new();
    if (!box->ctx[enc] ||
        EVP_CipherInit_ex(box->ctx[enc], EVP_aes_256_gcm(), NULL, data, NULL, enc) != 1) {
      box_release(box);
      free(box);
      napi_throw_error(env, "KGW_GCM", "OpenSSL cannot set up AES-256-GCM");
      return NULL;
    }
  }
  napi_value external;
  if (napi_create_external(env, box, box_finalize, NULL, &external) != napi_ok) {
    box_release(box);
    free(box);
    napi_throw_error(env, "KGW_GCM", "cannot create the context object");
    return NULL;
  }
  return external;
}

static gcm_box *box_of(napi_env env, napi_value v) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external) return NULL;
  void *box = NULL;
  if (napi_get_value_external(env, v, &box) != napi_ok) return NULL;
  return (gcm_box *)box;
}

static napi_value release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  gcm_box *box = argc < 1 ? NULL : box_of(env, argv[0]);
  if (!box) {
    napi_throw_type_error(env, "KGW_GCM", "release(context): not a context");
    return NULL;
  }
  box_release(box);
  return NULL;
}

typedef struct {
  const unsigned char *data;
  size_t len;
  int is_null;
} bytes;

/* Element i of a JS array: a Buffer (or null when nullable). Returns 0 and throws otherwise. */
static int element(napi_env env, napi_value array, uint32_t i, int nullable, bytes *out, const char *what) {
  napi_value v;
  napi_valuetype type;
  if (napi_get_element(env, array, i, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok) {
    napi_throw_error(env, "KGW_GCM", "cannot read a job");
    return 0;
  }
  if (nullable && type == napi_null) {
    out->data = NULL;
    out->len = 0;
    out->is_null = 1;
    return 1;
  }
  void *data = NULL;
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, v, &data, &out->len) != napi_ok) {
    napi_throw_type_error(env, "KGW_GCM", what);
    return 0;
  }
  out->data = data;
  out->is_null = 0;
  return 1;
}

/* IV reset on the kept key schedule, then the additional data in its three pieces. */
static int start_job(EVP_CIPHER_CTX *ctx, int enc, const bytes *head, const bytes *key) {
  int n;
  unsigned char len_field[4];
  uint32_t len = key->is_null ? 0xffffffffu : (uint32_t)key->len;
  len_field[0] = (unsigned char)(len >> 24);
  len_field[1] = (unsigned char)(len >> 16);
  len_field[2] = (unsigned char)(len >> 8);
  len_field[3] = (unsigned char)len;
  if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, head->data + head->len - IV_BYTES, enc) != 1) return 0;
  if (EVP_CipherUpdate(ctx, NULL, &n, head->data, (int)head->len) != 1) return 0;
  if (EVP_CipherUpdate(ctx, NULL, &n, len_field, 4) != 1) return 0;
  if (key->len > 0 && EVP_CipherUpdate(ctx, NULL, &n, key->data, (int)key->len) != 1) return 0;
  return 1;
}

/* seal (enc = 1) or open (enc = 0) every job; see the top of the file. */
static napi_value run(napi_env env, napi_callback_info info, int enc) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  gcm_box *box = argc < 5 ? NULL : box_of(env, argv[0]);
  if (!box) {
    napi_throw_type_error(env, "KGW_GCM", "(context, heads, recordKeys, inputs, outputs) expected");
    return NULL;
  }
  if (box->released) {
    napi_throw_error(env, "KGW_GCM", "the data key of this context was released");
    return NULL;
  }
  uint32_t count = 0;
  for (int a = 1; a < 5; a++) {
    bool is_array = false;
    uint32_t n = 0;
    if (napi_is_array(env, argv[a], &is_array) != napi_ok || !is_array ||
        napi_get_array_length(env, argv[a], &n) != napi_ok || (a > 1 && n != count)) {
      napi_throw_type_error(env, "KGW_GCM", "heads, recordKeys, inputs, outputs: arrays of one length");
      return NULL;
    }
    count = n;
  }
  EVP_CIPHER_CTX *ctx = box->ctx[enc];
  int32_t failed = -1;
  for (uint32_t i = 0; i < count && failed < 0; i++) {
    bytes head, key, in, out;
    if (!element(env, argv[1], i, 0, &head, "heads[i] must be a Buffer") ||
        !element(env, argv[2], i, 1, &key, "recordKeys[i] must be a Buffer or null") ||
        !element(env, argv[3], i, 0, &in, "inputs[i] must be a Buffer") ||
        !element(env, argv[4], i, 0, &out, "outputs[i] must be a Buffer"))
      return NULL;
    if (head.len < IV_BYTES || head.len > INT32_MAX || key.len > INT32_MAX || in.len > INT32_MAX ||
        (enc ? out.len != in.len + TAG_BYTES : (in.len < TAG_BYTES || out.len != in.len - TAG_BYTES))) {
      napi_throw_range_error(env, "KGW_GCM", "a job's head, input or output has the wrong length");
      return NULL;
    }
    size_t data_len = enc ? in.len : in.len - TAG_BYTES;
    unsigned char *dst = (unsigned char *)out.data;
    int n = 0, m = 0;
    if (!start_job(ctx, enc, &head, &key) ||
        (data_len > 0 && EVP_CipherUpdate(ctx, dst, &n, in.data, (int)data_len) != 1)) {
      napi_throw_error(env, "KGW_GCM", "OpenSSL AES-256-GCM operation failed");
      return NULL;
    }
    if (enc) {
      if (EVP_CipherFinal_ex(ctx, dst + n, &m) != 1 ||
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES, dst + in.len) != 1) {
        napi_throw_error(env, "KGW_GCM", "OpenSSL AES-256-GCM seal failed");
        return NULL;
      }
    } else {
      unsigned char tag[TAG_BYTES];
      memcpy(tag, in.data + data_len, TAG_BYTES);
      if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, tag) != 1 ||
          EVP_CipherFinal_ex(ctx, dst + n, &m) != 1) {
        OPENSSL_cleanse(dst, out.len); /* never leave unauthenticated plaintext behind */
        failed = (int32_t)i;
      }
    }
  }
  if (enc) return NULL;
  napi_value result;
  CHECK_NAPI(env, napi_create_int32(env, failed, &result));
  return result;
}

static napi_value seal(napi_env env, napi_callback_info info) { return run(env, info, 1); }
static napi_value open_jobs(napi_env env, napi_callback_info info) { return run(env, info, 0); }

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"newContext", NULL, new_context, NULL, NULL, NULL, napi_default, NULL},
      {"release", NULL, release, NULL, NULL, NULL, napi_default, NULL},
      {"seal", NULL, seal, NULL, NULL, NULL, napi_default, NULL},
      {"open", NULL, open_jobs, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
