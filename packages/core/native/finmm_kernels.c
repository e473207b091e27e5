// finmm's own TensorFlow CPU kernels, registered through TensorFlow's stable C kernel API (tensorflow/c/kernels.h,
// tensorflow/c/ops.h) when Node loads this file as an addon. Each op does in one pass over memory what TensorFlow
// would do in several elementwise ops:
//   FinmmGelu(x) -> y               exact GELU, x * Phi(x)                                    (5 TF ops otherwise)
//   FinmmGeluGrad(dy, x) -> dx      dy * (Phi(x) + x * phi(x)), the gradient of exact GELU    (7 TF ops otherwise)
//   FinmmAdamW(param, m, v, grad, hyper) -> (param', m', v')   one AdamW update             (12 TF ops otherwise)
//   FinmmLayerNorm(x, gamma, beta, eps) -> (y, mean, rstd)      LayerNorm over the last axis  (3 TF ops + reshapes)
//   FinmmLayerNormGrad(dy, x, mean, rstd, gamma) -> (dx, dgamma, dbeta)   its gradient         (5 TF ops + reshapes)
//   FinmmDropout(x, seed, rate) -> y    inverted dropout with a mask hashed from (seed, index): the same seed gives
//                                       the same mask, so the gradient is the same op on dy    (5 TF ops otherwise)
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

// A counter-based hash of (element index, seed): murmur3's 32-bit finaliser, twice, with the seed's two words.
static inline uint32_t fmix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  x *= 0xc2b2ae35u;
  x ^= x >> 16;
  return x;
}

/** y = x * mask: element i is kept (scaled by 1 / keep) when its 24-bit hash of (i, seed) falls below keep. */
FINMM_CLONES
static void dropout_range(const float* restrict x, float* restrict y, uint32_t seed0, uint32_t seed1, uint32_t threshold,
                          float scale, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const uint32_t h = fmix32(fmix32((uint32_t)i * 0x9e3779b1u ^ seed0) + seed1);
    y[i] = (h >> 8) < threshold ? x[i] * scale : 0.0f;
  }
}

// Sums of a row with 16 independent accumulators, so gcc vectorises them without reordering-unsafe flags.
#define LANES 16

static inline float row_sum(const float* restrict v, int64_t d) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= d; j += LANES)
    for (int k = 0; k < LANES; ++k) acc[k] += v[j + k];
  float total = 0.0f;
  for (int k = 0; k < LANES; ++k) total += acc[k];
  for (; j < d; ++j) total += v[j];
  return total;
}

static inline float row_centred_sum_sq(const float* restrict v, float mean, int64_t d) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= d; j += LANES)
    for (int k = 0; k < LANES; ++k) {
      const float c = v[j + k] - mean;
      acc[k] += c * c;
    }
  float total = 0.0f;
  for (int k = 0; k < LANES; ++k) total += acc[k];
  for (; j < d; ++j) total += (v[j] - mean) * (v[j] - mean);
  return total;
}

/** LayerNorm of rows [r0, r1) of x [rows, d]: y = (x - mean) rstd gamma + beta; mean and rstd per row. */
FINMM_CLONES
static void layer_norm_rows(const float* restrict x, const float* restrict gamma, const float* restrict beta, float eps,
                            int64_t d, float* restrict y, float* restrict mean_out, float* restrict rstd_out, int64_t r0,
                            int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    const float mean = row_sum(xr, d) / (float)d;
    const float rstd = 1.0f / sqrtf(row_centred_sum_sq(xr, mean, d) / (float)d + eps);
    for (int64_t j = 0; j < d; ++j) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
    mean_out[r] = mean;
    rstd_out[r] = rstd;
  }
}

/**
 * LayerNorm's gradient for rows [r0, r1): dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma and
 * xhat = (x - mean) rstd; adds dy xhat and dy into this chunk's dgamma and dbeta partial sums.
 */
FINMM_CLONES
static void layer_norm_grad_rows(const float* restrict dy, const float* restrict x, const float* restrict mean,
                                 const float* restrict rstd, const float* restrict gamma, int64_t d, float* restrict dx,
                                 float* restrict dgamma, float* restrict dbeta, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* dyr = dy + r * d;
    const float* xr = x + r * d;
    float* dxr = dx + r * d;
    const float mu = mean[r];
    const float rs = rstd[r];
    float sum_g[LANES] = {0};
    float sum_gx[LANES] = {0};
    int64_t j = 0;
    for (; j + LANES <= d; j += LANES)
      for (int k = 0; k < LANES; ++k) {
        const float xhat = (xr[j + k] - mu) * rs;
        const float g = dyr[j + k] * gamma[j + k];
        sum_g[k] += g;
        sum_gx[k] += g * xhat;
        dgamma[j + k] += dyr[j + k] * xhat;
        dbeta[j + k] += dyr[j + k];
      }
    float a = 0.0f, b = 0.0f;
    for (int k = 0; k < LANES; ++k) {
      a += sum_g[k];
      b += sum_gx[k];
    }
    for (; j < d; ++j) {
      const float xhat = (xr[j] - mu) * rs;
      const float g = dyr[j] * gamma[j];
      a += g;
      b += g * xhat;
      dgamma[j] += dyr[j] * xhat;
      dbeta[j] += dyr[j];
    }
    a /= (float)d;
    b /= (float)d;
    for (int64_t jj = 0; jj < d; ++jj) {
      const float xhat = (xr[jj] - mu) * rs;
      dxr[jj] = rs * (dyr[jj] * gamma[jj] - a - xhat * b);
    }
  }
}

// ---- splitting one op over threads ------------------------------------------------------------------------------

/** Work on items [begin, end) of an op (elements or rows); `ctx` holds its arrays; `chunk` numbers the chunk. */
typedef void (*RangeFn)(const void* ctx, int64_t begin, int64_t end, int chunk);

typedef struct {
  RangeFn fn;
  const void* ctx;
  int64_t begin;
  int64_t end;
  int chunk;
} Chunk;

static void* chunk_thread(void* arg) {
  const Chunk* c = (const Chunk*)arg;
  c->fn(c->ctx, c->begin, c->end, c->chunk);
  return NULL;
}

#define MAX_THREADS 16

/** Threads per op: TF_NUM_INTRAOP_THREADS when set (as TensorFlow itself reads it), else the online CPUs, at most 16. */
static int thread_count(void) {
  static int cached = 0;
  if (cached > 0) return cached;
  long n = 0;
  const char* env = getenv("TF_NUM_INTRAOP_THREADS");
  if (env != NULL && *env != '\0') n = strtol(env, NULL, 10);
  if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0) n = 1;
  cached = n > MAX_THREADS ? MAX_THREADS : (int)n;
  return cached;
}

// Below this many elements per thread, starting a thread costs more than it saves.
#define MIN_ELEMENTS_PER_THREAD 32768

/** How many chunks `items` items of `elements_per_item` elements each are split into (1 .. MAX_THREADS). */
static int chunk_count(int64_t items, int64_t elements_per_item) {
  const int64_t by_size = items * elements_per_item / MIN_ELEMENTS_PER_THREAD;
  int threads = thread_count();
  if ((int64_t)threads > by_size) threads = (int)by_size;
  if ((int64_t)threads > items) threads = (int)items;
  return threads < 1 ? 1 : threads;
}

/**
 * Runs fn over items [0, n) in `chunks` contiguous chunks (item boundaries rounded to multiples of `align`), one per
 * thread; chunk 0 runs on the calling thread, and so does any chunk whose thread fails to start.
 */
static void parallel_for(RangeFn fn, const void* ctx, int64_t n, int chunks, int64_t align) {
  if (chunks < 2) {
    fn(ctx, 0, n, 0);
    return;
  }
  Chunk parts[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  const int64_t step = ((n + chunks - 1) / chunks + align - 1) / align * align;
  for (int t = 0; t < chunks; ++t) {
    const int64_t begin = (int64_t)t * step < n ? (int64_t)t * step : n;
    const int64_t end = begin + step < n ? begin + step : n;
    parts[t] = (Chunk){fn, ctx, begin, end, t};
  }
  for (int t = 1; t < chunks; ++t) started[t] = pthread_create(&ids[t], NULL, chunk_thread, &parts[t]) == 0;
  fn(ctx, parts[0].begin, parts[0].end, 0);
  for (int t = 1; t < chunks; ++t) {
    if (started[t]) pthread_join(ids[t], NULL);
    else fn(ctx, parts[t].begin, parts[t].end, t);
  }
}

/** parallel_for over the n elements of an elementwise op, in 64-byte-aligned chunks. */
static void parallel_elementwise(RangeFn fn, const void* ctx, int64_t n) {
  parallel_for(fn, ctx, n, chunk_count(n, 1), 16);
}

typedef struct {
  const float* x;
  const float* dy;
  float* out;
} GeluArgs;

static void gelu_chunk(const void* ctx, int64_t begin, int64_t end, int chunk) {
  (void)chunk;
  const GeluArgs* a = (const GeluArgs*)ctx;
  gelu_range(a->x, a->out, begin, end);
}

static void gelu_grad_chunk(const void* ctx, int64_t begin, int64_t end, int chunk) {
  (void)chunk;
  const GeluArgs* a = (const GeluArgs*)ctx;
  gelu_grad_range(a->dy, a->x, a->out, begin, end);
}

typedef struct {
  AdamWHyper hyper;
  const float *p, *m, *v, *g;
  float *p_out, *m_out, *v_out;
} AdamWArgs;

static void adamw_chunk(const void* ctx, int64_t begin, int64_t end, int chunk) {
  (void)chunk;
  const AdamWArgs* a = (const AdamWArgs*)ctx;
  adamw_range(&a->hyper, a->p, a->m, a->v, a->g, a->p_out, a->m_out, a->v_out, begin, end);
}

typedef struct {
  const float* x;
  float* y;
  uint32_t seed0, seed1, threshold;
  float scale;
} DropoutArgs;

static void dropout_chunk(const void* ctx, int64_t begin, int64_t end, int chunk) {
  (void)chunk;
  const DropoutArgs* a = (const DropoutArgs*)ctx;
  dropout_range(a->x, a->y, a->seed0, a->seed1, a->threshold, a->scale, begin, end);
}

typedef struct {
  const float *x, *gamma, *beta;
  float eps;
  int64_t d;
  float *y, *mean, *rstd;
} LayerNormArgs;

static void layer_norm_chunk(const void* ctx, int64_t begin, int64_t end, int chunk) {
  (void)chunk;
  const LayerNormArgs* a = (const LayerNormArgs*)ctx;
  layer_norm_rows(a->x, a->gamma, a->beta, a->eps, a->d, a->y, a->mean, a->rstd, begin, end);
}

typedef struct {
  const float *dy, *x, *mean, *rstd, *gamma;
  int64_t d;
  float* dx;
  float* partials; // [chunks][2][d]: dgamma then dbeta of each chunk
} LayerNormGradArgs;

static void layer_norm_grad_chunk(const void* ctx, int64_t begin, int64_t end, int chunk) {
  const LayerNormGradArgs* a = (const LayerNormGradArgs*)ctx;
  float* dgamma = a->partials + (int64_t)chunk * 2 * a->d;
  layer_norm_grad_rows(a->dy, a->x, a->mean, a->rstd, a->gamma, a->d, a->dx, dgamma, dgamma + a->d, begin, end);
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

/** Reads the inputs in order as float32 tensors; 0 (and the op failed, inputs freed) when one is missing or not. */
static int float_inputs(TF_OpKernelContext* ctx, TF_Tensor** in, int count, TF_Status* status, const char* op) {
  for (int i = 0; i < count; ++i) {
    in[i] = float_input(ctx, i, status, op);
    if (in[i] == NULL) {
      for (int k = 0; k < i; ++k) TF_DeleteTensor(in[k]);
      return 0;
    }
  }
  return 1;
}

/** Deletes the non-NULL tensors of `t` (the C API hands out a new TF_Tensor per input and output). */
static void delete_tensors(TF_Tensor** t, int count) {
  for (int i = 0; i < count; ++i)
    if (t[i] != NULL) TF_DeleteTensor(t[i]);
}

static void gelu_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* x = float_input(ctx, 0, status, "FinmmGelu: x must be float32");
  if (x != NULL) {
    TF_Tensor* y = output_like(ctx, 0, x, status);
    if (y != NULL) {
      const GeluArgs args = {(const float*)TF_TensorData(x), NULL, (float*)TF_TensorData(y)};
      parallel_elementwise(gelu_chunk, &args, TF_TensorElementCount(x));
      TF_DeleteTensor(y);
    }
    TF_DeleteTensor(x);
  }
  TF_DeleteStatus(status);
}

static void gelu_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[2] = {NULL, NULL}; // dy, x
  if (float_inputs(ctx, in, 2, status, "FinmmGeluGrad: dy and x must be float32")) {
    if (TF_TensorElementCount(in[1]) != TF_TensorElementCount(in[0])) {
      fail(ctx, status, "FinmmGeluGrad: dy and x must have the same number of elements");
    } else {
      TF_Tensor* dx = output_like(ctx, 0, in[1], status);
      if (dx != NULL) {
        const GeluArgs args = {(const float*)TF_TensorData(in[1]), (const float*)TF_TensorData(in[0]), (float*)TF_TensorData(dx)};
        parallel_elementwise(gelu_grad_chunk, &args, TF_TensorElementCount(in[1]));
        TF_DeleteTensor(dx);
      }
    }
    delete_tensors(in, 2);
  }
  TF_DeleteStatus(status);
}

static void adamw_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[5] = {NULL, NULL, NULL, NULL, NULL};
  TF_Tensor* out[3] = {NULL, NULL, NULL};
  if (float_inputs(ctx, in, 5, status, "FinmmAdamW: param, m, v, grad and hyper must be float32")) {
    const int64_t n = TF_TensorElementCount(in[0]);
    int valid = 1;
    for (int i = 1; i < 4 && valid; ++i) {
      if (TF_TensorElementCount(in[i]) != n) {
        fail(ctx, status, "FinmmAdamW: param, m, v and grad must have the same number of elements");
        valid = 0;
      }
    }
    if (valid && TF_TensorElementCount(in[4]) != 8) {
      fail(ctx, status, "FinmmAdamW: hyper must hold 8 floats (beta1, 1-beta1, beta2, 1-beta2, eps, step, bc2, decay)");
      valid = 0;
    }
    for (int o = 0; o < 3 && valid; ++o) valid = (out[o] = output_like(ctx, o, in[0], status)) != NULL;
    if (valid) {
      AdamWArgs args;
      memcpy(&args.hyper, TF_TensorData(in[4]), sizeof args.hyper);
      args.p = (const float*)TF_TensorData(in[0]);
      args.m = (const float*)TF_TensorData(in[1]);
      args.v = (const float*)TF_TensorData(in[2]);
      args.g = (const float*)TF_TensorData(in[3]);
      args.p_out = (float*)TF_TensorData(out[0]);
      args.m_out = (float*)TF_TensorData(out[1]);
      args.v_out = (float*)TF_TensorData(out[2]);
      parallel_elementwise(adamw_chunk, &args, n);
    }
    delete_tensors(in, 5);
  }
  delete_tensors(out, 3);
  TF_DeleteStatus(status);
}

/** Allocates a float output of the given shape. */
static TF_Tensor* output_of_shape(TF_OpKernelContext* ctx, int index, const int64_t* dims, int rank, TF_Status* status) {
  int64_t count = 1;
  for (int i = 0; i < rank; ++i) count *= dims[i];
  TF_Tensor* out = TF_AllocateOutput(ctx, index, TF_FLOAT, dims, rank, (size_t)count * sizeof(float), status);
  if (TF_GetCode(status) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, status);
    if (out != NULL) TF_DeleteTensor(out);
    return NULL;
  }
  return out;
}

/** Rows and width of x for LayerNorm over its last axis; 0 (and the op failed) when x has rank 0 or gamma/beta differ. */
static int layer_norm_dims(TF_OpKernelContext* ctx, TF_Status* status, const TF_Tensor* x, const TF_Tensor* gamma,
                           const TF_Tensor* beta, const char* op, int64_t* rows, int64_t* d) {
  const int rank = TF_NumDims(x);
  if (rank < 1) {
    fail(ctx, status, op);
    return 0;
  }
  *d = TF_Dim(x, rank - 1);
  *rows = *d == 0 ? 0 : TF_TensorElementCount(x) / *d;
  if (TF_TensorElementCount(gamma) != *d || (beta != NULL && TF_TensorElementCount(beta) != *d)) {
    fail(ctx, status, op);
    return 0;
  }
  return 1;
}

static void layer_norm_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[4];
  TF_Tensor* out[3] = {NULL, NULL, NULL};
  int64_t rows = 0, d = 0;
  if (float_inputs(ctx, in, 4, status, "FinmmLayerNorm: x, gamma, beta and eps must be float32")) {
    int ok = layer_norm_dims(ctx, status, in[0], in[1], in[2],
                             "FinmmLayerNorm: x must have rank >= 1 and gamma and beta the size of its last axis", &rows, &d);
    if (ok && TF_TensorElementCount(in[3]) != 1) {
      fail(ctx, status, "FinmmLayerNorm: eps must hold one float");
      ok = 0;
    }
    if (ok) ok = (out[0] = output_like(ctx, 0, in[0], status)) != NULL;
    if (ok) ok = (out[1] = output_of_shape(ctx, 1, &rows, 1, status)) != NULL;
    if (ok) ok = (out[2] = output_of_shape(ctx, 2, &rows, 1, status)) != NULL;
    if (ok && rows > 0) {
      const LayerNormArgs args = {(const float*)TF_TensorData(in[0]), (const float*)TF_TensorData(in[1]),
                                  (const float*)TF_TensorData(in[2]), *(const float*)TF_TensorData(in[3]), d,
                                  (float*)TF_TensorData(out[0]), (float*)TF_TensorData(out[1]),
                                  (float*)TF_TensorData(out[2])};
      parallel_for(layer_norm_chunk, &args, rows, chunk_count(rows, d), 1);
    }
    delete_tensors(in, 4);
  }
  delete_tensors(out, 3);
  TF_DeleteStatus(status);
}

static void layer_norm_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* in[5];
  TF_Tensor* out[3] = {NULL, NULL, NULL};
  int64_t rows = 0, d = 0;
  if (float_inputs(ctx, in, 5, status, "FinmmLayerNormGrad: dy, x, mean, rstd and gamma must be float32")) {
    int ok = layer_norm_dims(ctx, status, in[1], in[4], NULL,
                             "FinmmLayerNormGrad: x must have rank >= 1 and gamma the size of its last axis", &rows, &d);
    if (ok && (TF_TensorElementCount(in[0]) != TF_TensorElementCount(in[1]) || TF_TensorElementCount(in[2]) != rows ||
               TF_TensorElementCount(in[3]) != rows)) {
      fail(ctx, status, "FinmmLayerNormGrad: dy must match x, and mean and rstd hold one value per row of x");
      ok = 0;
    }
    if (ok) ok = (out[0] = output_like(ctx, 0, in[1], status)) != NULL;
    if (ok) ok = (out[1] = output_of_shape(ctx, 1, &d, 1, status)) != NULL;
    if (ok) ok = (out[2] = output_of_shape(ctx, 2, &d, 1, status)) != NULL;
    if (ok) {
      const int chunks = rows > 0 ? chunk_count(rows, d) : 1;
      float* partials = calloc((size_t)chunks * 2 * (size_t)(d > 0 ? d : 1), sizeof(float));
      if (partials == NULL) {
        TF_SetStatus(status, TF_RESOURCE_EXHAUSTED, "FinmmLayerNormGrad: out of memory for partial sums");
        TF_OpKernelContext_Failure(ctx, status);
      } else {
        const LayerNormGradArgs args = {(const float*)TF_TensorData(in[0]), (const float*)TF_TensorData(in[1]),
                                        (const float*)TF_TensorData(in[2]), (const float*)TF_TensorData(in[3]),
                                        (const float*)TF_TensorData(in[4]), d, (float*)TF_TensorData(out[0]), partials};
        if (rows > 0) parallel_for(layer_norm_grad_chunk, &args, rows, chunks, 1);
        float* dgamma = (float*)TF_TensorData(out[1]);
        float* dbeta = (float*)TF_TensorData(out[2]);
        for (int64_t j = 0; j < d; ++j) {
          float g = 0.0f, b = 0.0f;
          for (int c = 0; c < chunks; ++c) {
            g += partials[(int64_t)c * 2 * d + j];
            b += partials[(int64_t)c * 2 * d + d + j];
          }
          dgamma[j] = g;
          dbeta[j] = b;
        }
        free(partials);
      }
    }
    delete_tensors(in, 5);
  }
  delete_tensors(out, 3);
  TF_DeleteStatus(status);
}

static void dropout_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Status* status = TF_NewStatus();
  TF_Tensor* x = float_input(ctx, 0, status, "FinmmDropout: x must be float32");
  TF_Tensor* seed = NULL;
  TF_Tensor* rate = NULL;
  if (x != NULL) {
    TF_GetInput(ctx, 1, &seed, status);
    if (TF_GetCode(status) == TF_OK) rate = float_input(ctx, 2, status, "FinmmDropout: rate must be float32");
    else TF_OpKernelContext_Failure(ctx, status);
  }
  if (rate != NULL) {
    const float r = *(const float*)TF_TensorData(rate);
    if (TF_TensorType(seed) != TF_INT32 || TF_TensorElementCount(seed) != 2) {
      fail(ctx, status, "FinmmDropout: seed must be two int32 values");
    } else if (TF_TensorElementCount(rate) != 1 || !(r >= 0.0f && r < 1.0f)) {
      fail(ctx, status, "FinmmDropout: rate must be one float in [0, 1)");
    } else {
      TF_Tensor* y = output_like(ctx, 0, x, status);
      if (y != NULL) {
        const int32_t* s = (const int32_t*)TF_TensorData(seed);
        const float keep = 1.0f - r;
        const DropoutArgs args = {(const float*)TF_TensorData(x), (float*)TF_TensorData(y), (uint32_t)s[0], (uint32_t)s[1],
                                  (uint32_t)((double)keep * 16777216.0), 1.0f / keep};
        parallel_elementwise(dropout_chunk, &args, TF_TensorElementCount(x));
        TF_DeleteTensor(y);
      }
    }
  }
  if (rate != NULL) TF_DeleteTensor(rate);
  if (seed != NULL) TF_DeleteTensor(seed);
  if (x != NULL) TF_DeleteTensor(x);
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

/** Every output's shape unknown (eager execution, the only way finmm runs these ops, does not use them). */
static void unknown_shapes(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeInferenceContextSetUnknownShape(ctx, status);
}

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
  if (register_op("FinmmAdamW", adamw_inputs, 5, adamw_outputs, 3, shapes_of_input0, adamw_compute, e, es)) return;
  static const char* const ln_inputs[] = {"x: float", "gamma: float", "beta: float", "eps: float"};
  static const char* const ln_outputs[] = {"y: float", "mean: float", "rstd: float"};
  static const char* const ln_grad_inputs[] = {"dy: float", "x: float", "mean: float", "rstd: float", "gamma: float"};
  static const char* const ln_grad_outputs[] = {"dx: float", "dgamma: float", "dbeta: float"};
  if (register_op("FinmmLayerNorm", ln_inputs, 4, ln_outputs, 3, unknown_shapes, layer_norm_compute, e, es)) return;
  if (register_op("FinmmLayerNormGrad", ln_grad_inputs, 5, ln_grad_outputs, 3, unknown_shapes,
                  layer_norm_grad_compute, e, es)) return;
  static const char* const dropout_inputs[] = {"x: float", "seed: int32", "rate: float"};
  register_op("FinmmDropout", dropout_inputs, 3, y, 1, shape_of_input0, dropout_compute, e, es);
}

/** The ops register_all registers, for the addon's `ops` export. */
static const char* const OP_NAMES[] = {"FinmmGelu", "FinmmGeluGrad", "FinmmAdamW", "FinmmLayerNorm",
                                       "FinmmLayerNormGrad", "FinmmDropout"};

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
