#include "core/data/ToneShapeVideos.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaWriter.h"
#endif

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace soundspot::data {

namespace fs = std::filesystem;

namespace {

constexpr int kAudioRate = 48000;
constexpr double kPi = 3.14159265358979323846;

enum class Shape { Disc, Square, Triangle, Diamond };

// A kind of sound maker: what it looks like and what it sounds like.
struct Maker {
  Shape shape;
  std::array<uint8_t, 3> colour;
  double toneHz;      // fundamental
  double pulseHz;     // loudness pulses per second
};

const std::array<Maker, 4> kMakers = {{
    {Shape::Disc, {220, 40, 40}, 330.0, 3.0},
    {Shape::Square, {40, 190, 60}, 550.0, 5.0},
    {Shape::Triangle, {50, 80, 230}, 880.0, 2.0},
    {Shape::Diamond, {235, 200, 30}, 1320.0, 4.0},
}};

bool inside(Shape shape, double dx, double dy, double r) {
  switch (shape) {
    case Shape::Disc: return dx * dx + dy * dy <= r * r;
    case Shape::Square: return std::abs(dx) <= r * 0.85 && std::abs(dy) <= r * 0.85;
    case Shape::Diamond: return std::abs(dx) + std::abs(dy) <= r;
    case Shape::Triangle: return dy <= r * 0.8 && dy >= -r && std::abs(dx) <= (dy + r) * 0.6;
  }
  return false;
}

// A shape bouncing inside the frame at constant speed.
struct Mover {
  int maker = 0;
  double radius = 30, x0 = 0, y0 = 0, vx = 0, vy = 0;
  static double bounce(double p, double lo, double hi) {
    const double span = hi - lo;
    if (span <= 0) return lo;
    double q = std::fmod(p - lo, 2 * span);
    if (q < 0) q += 2 * span;
    return lo + (q <= span ? q : 2 * span - q);
  }
  std::array<double, 2> at(double t, int w, int h) const {
    return {bounce(x0 + vx * t, radius, w - radius), bounce(y0 + vy * t, radius, h - radius)};
  }
  std::array<double, 4> box(double t, int w, int h) const {  // normalised x0 y0 x1 y1
    const auto c = at(t, w, h);
    return {std::max(0.0, (c[0] - radius) / w), std::max(0.0, (c[1] - radius) / h), std::min(1.0, (c[0] + radius) / w),
            std::min(1.0, (c[1] + radius) / h)};
  }
};

Mover drawMover(int maker, int w, int h, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  Mover m;
  m.maker = maker;
  m.radius = std::min(w, h) * (0.11 + 0.07 * u(rng));
  m.x0 = m.radius + u(rng) * (w - 2 * m.radius);
  m.y0 = m.radius + u(rng) * (h - 2 * m.radius);
  const double speed = std::min(w, h) * (0.15 + 0.35 * u(rng)), angle = 2 * kPi * u(rng);
  m.vx = speed * std::cos(angle);
  m.vy = speed * std::sin(angle);
  return m;
}

}  // namespace

void writeToneShapeVideos(const fs::path& dir, const ToneShapeOptions& o, const fs::path& truthDir, Progress* progress,
                          const CancelToken* cancel) {
#ifdef SOUNDSPOT_HAS_FFMPEG
  if (o.clips < 1 || o.seconds < 1 || o.width < 32 || o.height < 32 || o.fps <= 0)
    throw UsageError("tone videos", "needs at least one clip of at least 1 s and 32x32 pixels");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(dir.string(), "cannot create the folder: " + ec.message());
  nlohmann::json clips = nlohmann::json::array();
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> u(0, 1);
  const int w = o.width, h = o.height;
  for (int c = 0; c < o.clips; ++c) {
    if (cancel && cancel->cancelled()) throw Error(dir.string(), "cancelled");
    char name[64];
    std::snprintf(name, sizeof name, "tone-shapes-%03d.mp4", c);
    const fs::path file = dir / name;
    const int sounding = c % static_cast<int>(kMakers.size());
    std::vector<Mover> movers = {drawMover(sounding, w, h, rng)};
    if (u(rng) < o.distractorProbability) {
      const int other = (sounding + 1 + static_cast<int>(u(rng) * (kMakers.size() - 1))) % static_cast<int>(kMakers.size());
      movers.push_back(drawMover(other, w, h, rng));
    }
    if (u(rng) < 0.5) std::swap(movers.front(), movers.back());  // drawing order: either may be in front
    // Background: a random two-colour gradient with grain, different in every clip.
    std::array<double, 3> bgA{}, bgB{};
    for (int k = 0; k < 3; ++k) {
      bgA[k] = 40 + 150 * u(rng);
      bgB[k] = 40 + 150 * u(rng);
    }
    std::vector<uint8_t> background(static_cast<size_t>(w) * h * 3);
    std::normal_distribution<double> grain(0, 6);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int k = 0; k < 3; ++k) {
          const double a = (x + y) / double(w + h);
          background[(static_cast<size_t>(y) * w + x) * 3 + k] =
              static_cast<uint8_t>(std::clamp((1 - a) * bgA[k] + a * bgB[k] + grain(rng), 0.0, 255.0));
        }

    media::MediaWriter writer(file.string(), w, h, o.fps, kAudioRate);
    const int frames = static_cast<int>(std::floor(o.seconds * o.fps));
    std::vector<uint8_t> rgb(background.size());
    for (int f = 0; f < frames; ++f) {
      const double t = f / o.fps;
      rgb = background;
      for (const Mover& m : movers) {
        const auto centre = m.at(t, w, h);
        const Maker& mk = kMakers[m.maker];
        const int x0 = std::max(0, int(centre[0] - m.radius)), x1 = std::min(w - 1, int(centre[0] + m.radius));
        const int y0 = std::max(0, int(centre[1] - m.radius)), y1 = std::min(h - 1, int(centre[1] + m.radius));
        for (int y = y0; y <= y1; ++y)
          for (int x = x0; x <= x1; ++x)
            if (inside(mk.shape, x - centre[0], y - centre[1], m.radius))
              for (int k = 0; k < 3; ++k) rgb[(static_cast<size_t>(y) * w + x) * 3 + k] = mk.colour[k];
      }
      writer.addFrame(rgb.data());
    }
    // The sounding maker's tone (two harmonics, pulsing), plus a little noise.
    const Maker& mk = kMakers[sounding];
    const size_t samples = static_cast<size_t>(frames / o.fps * kAudioRate);
    std::vector<float> audio(samples);
    const double phase = 2 * kPi * u(rng), gain = 0.25 + 0.25 * u(rng);
    std::normal_distribution<double> hiss(0, 0.01);
    for (size_t i = 0; i < samples; ++i) {
      const double t = double(i) / kAudioRate;
      const double pulse = 0.6 + 0.4 * std::sin(2 * kPi * mk.pulseHz * t + phase);
      const double tone = std::sin(2 * kPi * mk.toneHz * t) + 0.35 * std::sin(2 * kPi * 2 * mk.toneHz * t);
      audio[i] = static_cast<float>(gain * pulse * tone / 1.35 + hiss(rng));
    }
    writer.addAudio(audio.data(), audio.size());
    writer.finish();

    if (!truthDir.empty()) {
      nlohmann::json annotations = nlohmann::json::array();
      for (double t = 1.0; t <= frames / o.fps - 0.5; t += 1.0) {
        nlohmann::json silent = nlohmann::json::array(), soundingBoxes = nlohmann::json::array();
        for (const Mover& m : movers) {
          const auto b = m.box(t, w, h);
          nlohmann::json obj = {{"label", "Sine wave"}, {"box", {b[0], b[1], b[2], b[3]}}};
          (m.maker == sounding ? soundingBoxes : silent).push_back(obj);
        }
        annotations.push_back({{"time", t}, {"sounding", soundingBoxes}, {"silent", silent}});
      }
      const fs::path rel = fs::absolute(file).lexically_normal().lexically_relative(fs::absolute(truthDir).lexically_normal());
      clips.push_back({{"id", file.stem().string()}, {"media", rel.generic_string()}, {"split", "test"},
                       {"labels", {"Sine wave"}}, {"annotations", annotations}});
    }
    if (progress) progress->advance(1, name);
  }
  if (!truthDir.empty()) {
    const nlohmann::json ds = {{"format", "soundspot-dataset/1"},
                               {"name", "tone shapes (ground truth for " + dir.filename().string() + ")"},
                               {"clips", clips}};
    writeFileAtomically(truthDir / "dataset.json", ds.dump(2) + "\n");
  }
#else
  (void)dir, (void)o, (void)truthDir, (void)progress, (void)cancel;
  throw Error(dir.string(), "cannot write videos: this build has no FFmpeg");
#endif
}

}  // namespace soundspot::data
