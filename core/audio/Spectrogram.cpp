#include "core/audio/Spectrogram.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>

namespace soundspot::audio {
namespace {

// FFTW's planner is not thread-safe; every planning call in this process goes
// through this lock. FFTW_ESTIMATE keeps the chosen algorithm (and so the
// rounding) identical from run to run, unlike FFTW_MEASURE.
std::mutex& plannerMutex() {
  static std::mutex m;
  return m;
}

struct FftwFree {
  void operator()(void* p) const { fftwf_free(p); }
};
template <typename T>
using FftwBuffer = std::unique_ptr<T, FftwFree>;

template <typename T>
FftwBuffer<T> fftwAlloc(size_t count) {
  auto* p = static_cast<T*>(fftwf_malloc(sizeof(T) * count));
  if (!p) throw std::bad_alloc();
  return FftwBuffer<T>(p);
}

// One plan transforms all kFrames frames of a window at once (contiguous
// rows of kFftSize reals -> rows of kBins complex values).
class FramePlan {
 public:
  FramePlan() {
    std::lock_guard<std::mutex> lock(plannerMutex());
    auto in = fftwAlloc<float>(size_t(kFrames) * kFftSize);
    auto out = fftwAlloc<fftwf_complex>(size_t(kFrames) * kBins);
    int n = kFftSize;
    plan_ = fftwf_plan_many_dft_r2c(1, &n, kFrames, in.get(), nullptr, 1, kFftSize, out.get(), nullptr, 1, kBins,
                                    FFTW_ESTIMATE);
  }
  ~FramePlan() {
    std::lock_guard<std::mutex> lock(plannerMutex());
    fftwf_destroy_plan(plan_);
  }
  // fftwf_execute_dft_r2c is thread-safe for a shared plan; the buffers come
  // from fftwf_malloc so they have the alignment the plan assumes.
  void execute(float* in, fftwf_complex* out) const { fftwf_execute_dft_r2c(plan_, in, out); }

 private:
  fftwf_plan plan_;
};

const FramePlan& framePlan() {
  static const FramePlan plan;  // C++11 guarantees one thread-safe construction
  return plan;
}

}  // namespace

const std::vector<float>& hannWindow() {
  static const std::vector<float> w = [] {
    std::vector<float> v(kFrameLength);
    const double pi = 3.14159265358979323846;
    for (int n = 0; n < kFrameLength; ++n) v[n] = float(0.5 - 0.5 * std::cos(2 * pi * n / kFrameLength));
    return v;
  }();
  return w;
}

void logSpectrogram(const float* window, float* out) {
  const auto& plan = framePlan();
  const auto& hann = hannWindow();
  auto frames = fftwAlloc<float>(size_t(kFrames) * kFftSize);
  auto spectra = fftwAlloc<fftwf_complex>(size_t(kFrames) * kBins);

  for (int i = 0; i < kFrames; ++i) {
    float* frame = frames.get() + size_t(i) * kFftSize;
    const int start = i * kHop;
    const int available = std::max(0, std::min(kFrameLength, kWindowSamples - start));
    for (int n = 0; n < available; ++n) frame[n] = window[start + n] * hann[n];
    std::memset(frame + available, 0, sizeof(float) * (kFftSize - available));
  }
  plan.execute(frames.get(), spectra.get());

  for (int i = 0; i < kFrames; ++i) {
    const fftwf_complex* x = spectra.get() + size_t(i) * kBins;
    for (int f = 0; f < kBins; ++f)
      out[size_t(f) * kFrames + i] = std::log(std::sqrt(x[f][0] * x[f][0] + x[f][1] * x[f][1]) + kLogFloor);
  }
}

std::vector<float> logSpectrogram(const float* window) {
  std::vector<float> out(size_t(kBins) * kFrames);
  logSpectrogram(window, out.data());
  return out;
}

}  // namespace soundspot::audio
