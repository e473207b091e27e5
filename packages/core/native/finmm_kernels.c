// finmm's own TensorFlow CPU kernels, registered through TensorFlow's stable C kernel API (tensorflow/c/kernels.h,
// tensorflow/c/ops.h) when Node loads this file as an addon. Each op does in one pass over memory what TensorFlow
// would do in several elementwise ops:
//   FinmmGelu(x) -> y               exact GELU, x * Phi(x)                                    (5 TF ops otherwise)
//   FinmmGeluGrad(dy, x) -> dx      dy * (Phi(x) + x * phi(x)), the gradient of exact GELU    (7 TF ops otherwise)
//   FinmmAdamW(param, m, v, grad, hyper) -> (param', m', v')   one AdamW update             (12 TF ops otherwise)
// float32 only; any shape. Built by tools/native-backend/build-kernels.mjs; loaded by @finmm/core's native-kernels.ts.
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <node_api.h>

#include "tf_kernel_api.h"
#include "tensorflow/c/tf_datatype.h"
#include "tensorflow/c/tf_status.h"
#include "tensorflow/c/tf_tensor.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FINMM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FINMM_CLONES
#endif

// erf(x) for float as a rational function of x on [-4, 4] (outside, erf is +-1 in float): the approximation
// Eigen and XLA use for TensorFlow's own Erf kernel, so results agree with tf.erf to a few ulp.
static inline float erf_rational(float x) {
  x = fminf(fmaxf(x, -4.0f), 4.0f);
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  p = p * x;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return p / q;
}

// exp(a) for -87 <= a <= 0 (Cody-Waite reduction to r in [-ln2/2, ln2/2], degree-7 Taylor polynomial, then 2^n
// through the exponent bits); relative error below 2e-7.
static inline float exp_nonpositive(float a) {
  const float t = a * 1.44269504088896341f;
  const int32_t n = (int32_t)(t - 0.5f); // round to nearest for t <= 0
  const float r = (a - (float)n * 0.693145751953125f) - (float)n * 1.428606765330187e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const uint32_t bits = (uint32_t)(n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

FINMM_CLONES
static void gelu_range(const float* restrict x, float* restrict y, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float v = x[i];
    y[i] = v * (0.5f + 0.5f * erf_rational(v * INV_SQRT2));
  }
}

FINMM_CLONES
static void gelu_grad_range(const float* restrict dy, const float* restrict x, float* restrict dx, int64_t begin,
                            int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float v = x[i];
    const float cdf = 0.5f + 0.5f * erf_rational(v * INV_SQRT2);
    const float vc = fminf(fmaxf(v, -13.0f), 13.0f); // phi(13) < 1e-36: keeps exp's argument >= -87
    const float pdf = exp_nonpositive(-0.5f * vc * vc) * INV_SQRT_2PI;
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

/** AdamW's scalars, as the JavaScript optimizer computes them (in double, then rounded to float32 once). */
typedef struct {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, epsilon, step_size, bias_correction2_sqrt, decay;
} AdamWHyper;

// One AdamW update in the JavaScript optimizer's order of operations (packages/trainer/src/optim/adamw.ts):
// m' = b1 m + (1-b1) g; v' = b2 v + (1-b2) g^2; p' = p decay - step_size m' / (sqrt(v') / sqrt(1-b2^t) + eps).
FINMM_CLONES
static void adamw_range(const AdamWHyper* h, const float* restrict p, const float* restrict m, const float* restrict v,
                        const float* restrict g, float* restrict p_out, float* restrict m_out, float* restrict v_out,
                        int64_t begin, int64_t end) {
  const AdamWHyper k = *h;
  for (int64_t i = begin; i < end; ++i) {
    const float gi = g[i];
    const float mi = m[i] * k.beta1 + gi * k.one_minus_beta1;
    const float vi = v[i] * k.beta2 + (gi * gi) * k.one_minus_beta2;
    const float denom = sqrtf(vi) / k.bias_correction2_sqrt + k.epsilon;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = p[i] * k.decay - (mi / denom) * k.step_size;
  }
}

// ---- splitting one op over threads ------------------------------------------------------------------------------

/** Work on elements [begin, end) of an op; `ctx` holds its arrays. */
typedef void (*RangeFn)(const void* ctx, int64_t begin, int64_t end);

typedef struct {
  RangeFn fn;
  const void* ctx;
  int64_t begin;
  int64_t end;
} Chunk;

static void* chunk_thread(void* arg) {
  const Chunk* c = (const Chunk*)arg;
  c->fn(c->ctx, c->begin, c->end);
  return NULL;
}

/** Threads per op: TF_NUM_INTRAOP_THREADS when set (as TensorFlow itself reads it), else the online CPUs, at most 16. */
static int thread_count(void) {
  static int cached = 0;
  if (cached > 0) return cached;
  long n = 0;
  const char* env = getenv("TF_NUM_INTRAOP_THREADS");
  if (env != NULL && *env != '\0') n = strtol(env, NULL, 10);
  if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0) n = 1;
  cached = n > 16 ? 16 : (int)n;
  return cached;
}

// Below this many elements per thread, starting a thread costs more than it saves.
#define MIN_ELEMENTS_PER_THREAD 32768

/** Runs fn over [0, n) in contiguous chunks, one per thread, the first on the calling thread. */
static void parallel_for(RangeFn fn, const void* ctx, int64_t n) {
  int threads = thread_count();
  if ((int64_t)threads > n / MIN_ELEMENTS_PER_THREAD) threads = (int)(n / MIN_ELEMENTS_PER_THREAD);
  if (threads < 2) {
    fn(ctx, 0, n);
    return;
  }
  Chunk chunks[16];
  pthread_t ids[16];
  int started[16] = {0};
  const int64_t step = ((n + threads - 1) / threads + 15) & ~(int64_t)15; // multiples of 16 floats (64 bytes)
  for (int t = 0; t < threads; ++t) {
    const int64_t begin = (int64_t)t * step < n ? (int64_t)t * step : n;
    const int64_t end = begin + step < n ? begin + step : n;
    chunks[t] = (Chunk){fn, ctx, begin, end};
  }
  // A thread that fails to start has its chunk run here instead.
  for (int t = 1; t < threads; ++t) started[t] = pthread_create(&ids[t], NULL, chunk_thread, &chunks[t]) == 0;
  fn(ctx, chunks[0].begin, chunks[0].end);
  for (int t = 1; t < threads; ++t) {
    if (started[t]) pthread_join(ids[t], NULL);
    else fn(ctx, chunks[t].begin, chunks[t].end);
  }
}

typedef struct {
  const float* x;
  const float* dy;
  float* out;
} GeluArgs;

static void gelu_chunk(const void* ctx, int64_t begin, int64_t end) {
  const GeluArgs* a = (const GeluArgs*)ctx;
  gelu_range(a->x, a->out, begin, end);
}

static void gelu_grad_chunk(const void* ctx, int64_t begin, int64_t end) {
  const GeluArgs* a = (const GeluArgs*)ctx;
  gelu_grad_range(a->dy, a->x, a->out, begin, end);
}

typedef struct {
  AdamWHyper hyper;
  const float *p, *m, *v, *g;
  float *p_out, *m_out, *v_out;
} AdamWArgs;

static void adamw_chunk(const void* ctx, int64_t begin, int64_t end) {
  const AdamWArgs* a = (const AdamWArgs*)ctx;
  adamw_range(&a->hyper, a->p, a->m, a->v, a->g, a->p_out, a->m_out, a->v_out, begin, end);
}

// ---- kernels ------------------------------------------------------------------------------------------------------

static void* create_kernel(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return NULL;
}

static void delete_kernel(void* kernel) { (void)kernel; }

/** Fails the op with `message` (INVALID_ARGUMENT). */
static void fail(TF_OpKernelContext* ctx, TF_Status* status, const char* message) {
  TF_SetStatus(status, TF_INVALID_ARGUMENT, message);
  TF_OpKernelContext_Failure(ctx, status);
}

/** Reads input i, which must be float32; NULL (and the op failed) otherwise. */
static TF_Tensor* float_input(TF_OpKernelContext* ctx, int i, TF_Status* status, const char* op) {
  TF_Tensor* t = NULL;
  TF_GetInput(ctx, i, &t, status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    return NULL;
  }
  if (TF_TensorType(t) != TF_FLOAT) {
    TF_DeleteTensor(t);
    fail(ctx, status, op);
    return NULL;
  }
  return t;
}

/** Allocates output `index` with the shape of `like`. */
static TF_Tensor* output_like(TF_OpKernelContext* ctx, int index, const TF_Tensor* like, TF_Status* status) {
  int64_t dims[16];
  const int rank = TF_NumDims(like);
  if (rank > 16) {
    fail(ctx, status, "finmm kernels: tensors of rank above 16 are not supported");
    return NULL;
  }
  for (int d = 0; d < rank; ++d) dims[d] = TF_Dim(like, d);
  TF_Tensor* out = TF_AllocateOutput(ctx, index, TF_FLOAT, dims, rank, TF_TensorByteSize(like), status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    if (out != NULL) TF_DeleteTensor(out);
    return NULL;
  }
  return out;
}

static void gelu_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* x = float_input(ctx, 0, status, "FinmmGelu: x must be float32");
  if (x != NULL) {
    TF_Tensor* y = output_like(ctx, 0, x, status);
    if (y != NULL) {
      const GeluArgs args = {(const float*)TF_TensorData(x), NULL, (float*)TF_TensorData(y)};
      parallel_for(gelu_chunk, &args, TF_TensorElementCount(x));
      TF_DeleteTensor(y);
    }
    TF_DeleteTensor(x);
  }
  TF_DeleteStatus(status);
}

static void gelu_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* dy = float_input(ctx, 0, status, "FinmmGeluGrad: dy must be float32");
  TF_Tensor* x = dy == NULL ? NULL : float_input(ctx, 1, status, "FinmmGeluGrad: x must be float32");
  if (x != NULL) {
    if (TF_TensorElementCount(x) != TF_TensorElementCount(dy)) {
      fail(ctx, status, "FinmmGeluGrad: dy and x must have the same number of elements");
    } else {
      TF_Tensor* dx = output_like(ctx, 0, x, status);
      if (dx != NULL) {
        const GeluArgs args = {(const float*)TF_TensorData(x), (const float*)TF_TensorData(dy), (float*)TF_TensorData(dx)};
        parallel_for(gelu_grad_chunk, &args, TF_TensorElementCount(x));
        TF_DeleteTensor(dx);
      }
    }
    TF_DeleteTensor(x);
  }
  if (dy != NULL) TF_DeleteTensor(dy);
  TF_DeleteStatus(status);
}

static void adamw_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  static const char* const names[5] = {"FinmmAdamW: param must be float32", "FinmmAdamW: m must be float32",
                                       "FinmmAdamW: v must be float32", "FinmmAdamW: grad must be float32",
                                       "FinmmAdamW: hyper must be float32"};
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[5] = {NULL, NULL, NULL, NULL, NULL};
  TF_Tensor* out[3] = {NULL, NULL, NULL};
  int ok = 1;
  for (int i = 0; i < 5 && ok; ++i) ok = (in[i] = float_input(ctx, i, status, names[i])) != NULL;
  if (ok) {
    const int64_t n = TF_TensorElementCount(in[0]);
    for (int i = 1; i < 4 && ok; ++i) {
      if (TF_TensorElementCount(in[i]) != n) {
        fail(ctx, status, "FinmmAdamW: param, m, v and grad must have the same number of elements");
        ok = 0;
      }
    }
    if (ok && TF_TensorElementCount(in[4]) != 8) {
      fail(ctx, status, "FinmmAdamW: hyper must hold 8 floats (beta1, 1-beta1, beta2, 1-beta2, eps, step, bc2, decay)");
      ok = 0;
    }
    for (int o = 0; o < 3 && ok; ++o) ok = (out[o] = output_like(ctx, o, in[0], status)) != NULL;
    if (ok) {
      AdamWArgs args;
      memcpy(&args.hyper, TF_TensorData(in[4]), sizeof args.hyper);
      args.p = (const float*)TF_TensorData(in[0]);
      args.m = (const float*)TF_TensorData(in[1]);
      args.v = (const float*)TF_TensorData(in[2]);
      args.g = (const float*)TF_TensorData(in[3]);
      args.p_out = (float*)TF_TensorData(out[0]);
      args.m_out = (float*)TF_TensorData(out[1]);
      args.v_out = (float*)TF_TensorData(out[2]);
      parallel_for(adamw_chunk, &args, n);
    }
  }
  for (int o = 0; o < 3; ++o)
    if (out[o] != NULL) TF_DeleteTensor(out[o]);
  for (int i = 0; i < 5; ++i)
    if (in[i] != NULL) TF_DeleteTensor(in[i]);
  TF_DeleteStatus(status);
}

// ---- registration -------------------------------------------------------------------------------------------------

/** Outputs 0 .. outputs-1 have the shape of input `which`. */
static void same_shape_as(TF_ShapeInferenceContext* ctx, int which, int outputs, TF_Status* status) {
  TF_ShapeHandle* shape = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, which, shape, status);
  for (int o = 0; o < outputs && TF_GetCode(status) == TF_OK; ++o) TF_ShapeInferenceContextSetOutput(ctx, o, shape, status);
  TF_DeleteShapeHandle(shape);
}

static void shape_of_input0(TF_ShapeInferenceContext* ctx, TF_Status* status) { same_shape_as(ctx, 0, 1, status); }
static void shape_of_input1(TF_ShapeInferenceContext* ctx, TF_Status* status) { same_shape_as(ctx, 1, 1, status); }
static void shapes_of_input0(TF_ShapeInferenceContext* ctx, TF_Status* status) { same_shape_as(ctx, 0, 3, status); }

typedef void (*ComputeFn)(void*, TF_OpKernelContext*);
typedef void (*ShapeFn)(TF_ShapeInferenceContext*, TF_Status*);

/** Registers op `name` with `inputs`, `outputs` and its CPU kernel; returns 0 or writes the error. */
static int register_op(const char* name, const char* const* inputs, int n_inputs, const char* const* outputs,
                       int n_outputs, ShapeFn shape, ComputeFn compute, char* error, size_t error_size) {
  TF_Status* status = TF_NewStatus();
  TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder(name);
  for (int i = 0; i < n_inputs; ++i) TF_OpDefinitionBuilderAddInput(op, inputs[i]);
  for (int o = 0; o < n_outputs; ++o) TF_OpDefinitionBuilderAddOutput(op, outputs[o]);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, shape);
  TF_RegisterOpDefinition(op, status); // takes ownership of op
  if (TF_GetCode(status) == TF_OK) {
    TF_KernelBuilder* kernel = TF_NewKernelBuilder(name, "CPU", create_kernel, compute, delete_kernel);
    TF_RegisterKernelBuilder(name, kernel, status); // takes ownership of kernel
  }
  const int failed = TF_GetCode(status) != TF_OK;
  if (failed) snprintf(error, error_size, "registering %s: %s", name, TF_Message(status));
  TF_DeleteStatus(status);
  return failed;
}

static int registered = 0;
static char registration_error[512] = "";

static void register_all(void) {
  if (registered) return;
  registered = 1;
  static const char* const gelu_inputs[] = {"x: float"};
  static const char* const gelu_grad_inputs[] = {"dy: float", "x: float"};
  static const char* const y[] = {"y: float"};
  static const char* const adamw_inputs[] = {"param: float", "m: float", "v: float", "grad: float", "hyper: float"};
  static const char* const adamw_outputs[] = {"param_out: float", "m_out: float", "v_out: float"};
  char* e = registration_error;
  const size_t es = sizeof registration_error;
  if (register_op("FinmmGelu", gelu_inputs, 1, y, 1, shape_of_input0, gelu_compute, e, es)) return;
  if (register_op("FinmmGeluGrad", gelu_grad_inputs, 2, y, 1, shape_of_input1, gelu_grad_compute, e, es)) return;
  register_op("FinmmAdamW", adamw_inputs, 5, adamw_outputs, 3, shapes_of_input0, adamw_compute, e, es);
}

/** The ops register_all registers, for the addon's `ops` export. */
static const char* const OP_NAMES[] = {"FinmmGelu", "FinmmGeluGrad", "FinmmAdamW"};

// The addon's exports: `ops` (the registered op names) and `version`. Loading it registers the ops once per
// process; a registration failure throws.
NAPI_MODULE_INIT() {
  register_all();
  if (registration_error[0] != '\0') {
    napi_throw_error(env, NULL, registration_error);
    return NULL;
  }
  napi_value ops, name, version;
  const uint32_t count = sizeof OP_NAMES / sizeof OP_NAMES[0];
  napi_create_array_with_length(env, count, &ops);
  for (uint32_t i = 0; i < count; ++i) {
    napi_create_string_utf8(env, OP_NAMES[i], NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, ops, i, name);
  }
  napi_set_named_property(env, exports, "ops", ops);
  napi_create_uint32(env, 1, &version);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}
