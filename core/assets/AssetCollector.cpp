#include "core/assets/AssetCollector.h"

#include "core/assets/SoundfontRenderer.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/ClassMapping.h"
#include "core/data/SceneSplits.h"
#include "core/media/MediaReader.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QResource>
#include <QSvgRenderer>
#include <QTemporaryFile>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <cstdio>
#include <cstdlib>

namespace soundspot::assets {
namespace {

QString qpath(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

// The .rcc archive of a gcompris activity and where its files live inside.
struct RccSource {
  const char* archive;
  const char* root;
};
const std::map<std::string, RccSource> kRccSources = {
    {"gcompris-instruments", {"instruments.rcc", ":/gcompris/src/activities/instruments/resource/"}},
    {"gcompris-farm", {"explore_farm_animals.rcc", ":/gcompris/src/activities/explore_farm_animals/resource/animals/"}},
    {"gcompris-melody", {"melody.rcc", ":/gcompris/src/activities/melody/resource/"}},
};

// An item names a file without extension (image .svg, sound .ogg) unless it has one.
QString withExtension(const QString& base, const char* ext) {
  return QFileInfo(base).suffix().isEmpty() ? base + ext : base;
}

void registerArchive(const std::filesystem::path& rcc) {
  static std::set<std::string> registered;
  if (registered.count(rcc.string())) return;
  if (!QResource::registerResource(qpath(rcc))) throw Error(rcc.string(), "cannot open Qt resource archive");
  registered.insert(rcc.string());
}

// Straight-alpha RGBA cropped to the opaque part and scaled to maxSide.
bool toCutout(QImage image, int maxSide, data::PackImage& out, const std::string& what) {
  image = image.convertToFormat(QImage::Format_ARGB32_Premultiplied);
  int x0 = image.width(), y0 = image.height(), x1 = -1, y1 = -1, transparent = 0;
  for (int y = 0; y < image.height(); ++y) {
    const QRgb* row = reinterpret_cast<const QRgb*>(image.constScanLine(y));
    for (int x = 0; x < image.width(); ++x) {
      if (qAlpha(row[x]) > 16) {
        x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
      } else {
        ++transparent;
      }
    }
  }
  // A picture without transparency is a rectangle, not a cut-out object.
  if (x1 < 0 || transparent < image.width() * image.height() / 20) {
    spdlog::warn("{}: not a cut-out (no transparent surround), skipped", what);
    return false;
  }
  image = image.copy(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  if (std::max(image.width(), image.height()) > maxSide)
    image = image.scaled(maxSide, maxSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  image = image.convertToFormat(QImage::Format_RGBA8888);
  out.width = image.width();
  out.height = image.height();
  out.rgba.resize(size_t(out.width) * out.height * 4);
  for (int y = 0; y < out.height; ++y)
    std::copy_n(image.constScanLine(y), out.width * 4, out.rgba.data() + size_t(y) * out.width * 4);
  return true;
}

QImage renderSvg(const QString& path) {
  QSvgRenderer svg(path);
  if (!svg.isValid()) return {};
  QSize size = svg.defaultSize();
  size.scale(480, 480, Qt::KeepAspectRatio);
  QImage image(size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  svg.render(&painter);
  return image;
}

// Trimmed, peak-normalised 16-bit PCM; empty when there is no sound.
std::vector<int16_t> toPackPcm(const std::vector<float>& x, double maxSeconds) {
  float peak = 0;
  for (float v : x) peak = std::max(peak, std::abs(v));
  if (peak < 1e-3f) return {};
  // Leading / trailing silence would make "sounding" seconds silent.
  const float floor = 0.02f * peak;
  size_t a = 0, b = x.size();
  while (a < b && std::abs(x[a]) < floor) ++a;
  while (b > a && std::abs(x[b - 1]) < floor) --b;
  b = std::min(b, a + size_t(maxSeconds * data::kPackSampleRate));
  std::vector<int16_t> pcm(b - a);
  const float scale = 0.9f / peak * 32767.f;
  for (size_t i = a; i < b; ++i) pcm[i - a] = int16_t(std::lround(std::clamp(x[i] * scale, -32767.f, 32767.f)));
  return pcm;
}

std::vector<int16_t> decodeSound(const std::filesystem::path& file, double maxSeconds) {
  media::MediaReader reader(file.string());
  return toPackPcm(reader.audio(0, std::min(reader.info().duration, 60.0)), maxSeconds);
}

// A SoundFont entry: {"font": "FluidR3_GM.sf2", "bank": 0, "program": 65,
// "notes": [62, 65, 69], "note_seconds": 0.6}.
std::vector<int16_t> renderSoundfont(const AssetSources& sources, const nlohmann::json& entry, double maxSeconds,
                                     std::string& where) {
  SoundfontPhrase phrase;
  const std::string font = entry.at("font");
  where = font;
  for (const auto& dir : sources.soundfontDirs)
    if (std::filesystem::exists(dir / font)) phrase.font = dir / font, where = phrase.font.string();
  if (phrase.font.empty()) throw Error(font, "SoundFont not found in /usr/share/sounds/sf2 or sf3");
  phrase.bank = entry.value("bank", 0);
  phrase.program = entry.value("program", 0);
  if (entry.contains("notes")) phrase.notes = entry["notes"].get<std::vector<int>>();
  phrase.noteSeconds = entry.value("note_seconds", 0.6);
  phrase.tailSeconds = entry.value("tail_seconds", 0.6);
  return toPackPcm(renderPhrase(phrase, data::kPackSampleRate), maxSeconds);
}

// SoundFonts borrow samples from each other (TimGM6mb and the csound bank
// share many; MuseScore General derives from FluidR3), so the same phrase
// rendered from two fonts can be one recording twice; lmms ships one steel
// guitar take with three amounts of distortion. Same samples played
// with the same notes line up sample for sample; independent recordings of
// an instrument do not (|r| < 0.35 in the renders we checked, >= 0.5 for
// shared samples).
bool sameSamples(const std::vector<int16_t>& a, const std::vector<int16_t>& b) {
  const size_t n = std::min(a.size(), b.size());
  if (n < 4800) return false;
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return std::abs(ab) > 0.5 * std::sqrt(aa * bb);
}

std::vector<int16_t> decodeResourceSound(const QString& resource, double maxSeconds) {
  QFile in(resource);
  if (!in.open(QIODevice::ReadOnly)) return {};
  QTemporaryFile tmp(QDir::tempPath() + "/soundspot-XXXXXX.ogg");
  if (!tmp.open()) throw Error(QDir::tempPath().toStdString(), "cannot create a temporary file");
  tmp.write(in.readAll());
  tmp.flush();
  return decodeSound(tmp.fileName().toStdString(), maxSeconds);
}

// The landscape picture of a wallpaper package closest to 1280 px wide.
std::filesystem::path pickWallpaper(const std::filesystem::path& folder) {
  std::filesystem::path best;
  int bestScore = 1 << 30;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(folder / "contents/images", ec)) {
    int w = 0, h = 0;
    if (std::sscanf(e.path().filename().string().c_str(), "%dx%d", &w, &h) != 2 || w <= h) continue;
    const int score = std::abs(w - 1280);
    if (score < bestScore) bestScore = score, best = e.path();
  }
  return best;
}

}  // namespace

data::AssetPack collectAssets(const AssetSources& sources, uint64_t splitSeed, const CancelToken* cancel) {
  const data::ClassMapping mapping = data::readClassMapping(sources.classFile);

  data::AssetPack pack;
  int skipped = 0;
  for (const auto& [label, items] : mapping.classes) {
    const int classId = static_cast<int>(pack.classes.size());
    pack.classes.push_back(label);
    for (const auto& classItem : items) {
      if (cancel && cancel->cancelled()) throw Error("asset collection", "cancelled");
      const std::string &source = classItem.source, &kind = classItem.kind, &item = classItem.item;
      const nlohmann::json& entry = classItem.entry;
      const bool wantImage = kind != "sound", wantSound = kind != "image";
      QImage image;
      bool drawing = false;
      std::vector<int16_t> pcm;
      std::string where;
      try {
        if (source == "qabcs") {
          where = (sources.qabcsDir / "noises" / (item + ".ogg")).string();
          if (wantImage) {
            for (const auto& category : {"instrument", "animals", "toys", "misc", "food"}) {
              const auto png = sources.qabcsDir / "pics" / category / (item + ".png");
              if (std::filesystem::exists(png)) image.load(qpath(png));
            }
          }
          if (wantSound && std::filesystem::exists(where)) pcm = decodeSound(where, sources.maxSoundSeconds);
        } else if (kRccSources.count(source)) {
          const auto& rcc = kRccSources.at(source);
          registerArchive(sources.gcomprisRccDir / rcc.archive);
          const QString base = QString(rcc.root) + QString::fromStdString(item);
          where = base.toStdString();
          if (wantImage) image = renderSvg(withExtension(base, ".svg")), drawing = true;
          if (wantSound) pcm = decodeResourceSound(withExtension(base, ".ogg"), sources.maxSoundSeconds);
        } else if (source == "openclipart") {
          // <category>/<file>.png under png/; a bare file name is one of the
          // instruments under recreation/music/ (the ids of the default class file).
          where = (item.find('/') == std::string::npos ? sources.openclipartDir / "recreation/music" / item
                                                        : sources.openclipartDir / item).string();
          image.load(qpath(where));
          drawing = true;
        } else if (source == "openmoji" || source == "twemoji") {
          // Emoji artwork: openmoji names files by upper-case code point, twemoji by lower-case.
          QString code = QString::fromStdString(item);
          where = source == "openmoji" ? (sources.npmDir / "openmoji/color/svg" / (code.toUpper() + ".svg").toStdString()).string()
                                       : (sources.npmDir / "@twemoji/svg" / (code.toLower() + ".svg").toStdString()).string();
          if (!std::filesystem::exists(where)) throw Error(where, "emoji artwork not found (run packaging/install-deps.sh)");
          image = renderSvg(qpath(where));
          drawing = true;
        } else if (source == "tuxpaint") {
          // A stamp: item.png (a photo, or a drawing under cartoon/) or item.svg (a drawing),
          // and its sound effect item.ogg (item_desc*.ogg are spoken names, never used).
          const auto base = sources.tuxpaintDir / item;
          where = base.string();
          if (wantImage) {
            auto png = base, svg = base;
            png += ".png", svg += ".svg";
            if (std::filesystem::exists(png)) {
              image.load(qpath(png));
              drawing = item.find("/cartoon/") != std::string::npos;
            } else if (std::filesystem::exists(svg)) {
              image = renderSvg(qpath(svg)), drawing = true;
            } else {
              throw Error(where + ".png", "Tux Paint stamp not found (run packaging/install-deps.sh)");
            }
          }
          if (wantSound) {
            auto ogg = base;
            ogg += ".ogg";
            where = ogg.string();
            if (std::filesystem::exists(ogg)) pcm = decodeSound(where, sources.maxSoundSeconds);
          }
        } else if (source == "scratch") {
          // Scratch 1.4's media library: a costume (PNG/GIF drawing) or a sound (WAV/MP3), each on its own.
          where = (sources.scratchDir / item).string();
          if (!std::filesystem::exists(where)) throw Error(where, "Scratch media not found (apt-get install scratch)");
          if (wantImage) image.load(qpath(where)), drawing = true;
          if (wantSound) pcm = decodeSound(where, sources.maxSoundSeconds);
        } else if (source == "soundfont") {
          pcm = renderSoundfont(sources, entry, sources.maxSoundSeconds, where);
        } else if (source == "lmms") {
          where = (sources.lmmsDir / item).string();
          if (std::filesystem::exists(where)) pcm = decodeSound(where, sources.maxSoundSeconds);
        } else {
          throw Error(sources.classFile.string(), "unknown source '" + source + "' for " + label);
        }
        // The class file may say what a source's file type cannot (a PNG that is a drawing).
        drawing = entry.value("drawing", drawing);
      } catch (const Error& e) {
        if (e.subject() == sources.classFile.string()) throw;
        if (e.subject() == where) spdlog::warn("{}", e.what());  // what() already names the file
        else spdlog::warn("{}: {}", where, e.what());
      }
      const std::string id = source + "/" + item;
      if (wantImage) {
        data::PackImage im;
        im.id = id;
        im.classId = classId;
        im.drawing = drawing;
        if (!image.isNull() && toCutout(image, sources.maxImageSide, im, where)) pack.images.push_back(std::move(im));
        else ++skipped, spdlog::warn("{}: image of {} not found or unreadable", where, label);
      }
      bool duplicate = false;
      if (wantSound && !pcm.empty()) {
        for (const auto& other : pack.sounds) {
          if (other.classId == classId && sameSamples(other.pcm, pcm)) {
            spdlog::info("{}: the recording of {} again (e.g. re-processed); not an independent instance, skipped", id,
                         other.id);
            duplicate = true;
            break;
          }
        }
      }
      if (wantSound && !duplicate) {
        if (!pcm.empty()) {
          data::PackSound s;
          s.id = id;
          s.classId = classId;
          s.pcm = std::move(pcm);
          pack.sounds.push_back(std::move(s));
        } else {
          ++skipped, spdlog::warn("{}: sound of {} not found or silent", where, label);
        }
      }
    }
  }

  std::vector<std::filesystem::path> folders;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(sources.wallpaperDir, ec)) folders.push_back(e.path());
  std::sort(folders.begin(), folders.end());
  for (const auto& folder : folders) {
    if (int(pack.backgrounds.size()) >= sources.maxBackgrounds) break;
    const auto file = pickWallpaper(folder);
    QImage image;
    if (file.empty() || !image.load(qpath(file))) continue;
    image = image.scaledToHeight(sources.backgroundHeight, Qt::SmoothTransformation).convertToFormat(QImage::Format_RGB888);
    data::PackBackground b;
    b.id = "wallpapers/" + folder.filename().string();
    b.width = image.width();
    b.height = image.height();
    b.rgb.resize(size_t(b.width) * b.height * 3);
    for (int y = 0; y < b.height; ++y) std::copy_n(image.constScanLine(y), b.width * 3, b.rgb.data() + size_t(y) * b.width * 3);
    pack.backgrounds.push_back(std::move(b));
  }
  if (pack.images.empty() || pack.sounds.empty() || pack.backgrounds.size() < 2)
    throw Error(sources.classFile.string(), "no usable images, sounds or backgrounds found (are qabcs-data, "
                                            "gcompris-qt-data and plasma-workspace-wallpapers installed?)");
  if (skipped) spdlog::warn("{} asset(s) skipped", skipped);
  data::assignInstanceSplits(pack, splitSeed);
  spdlog::info("assets: {} classes, {} images, {} recordings, {} backgrounds", pack.classes.size(), pack.images.size(),
               pack.sounds.size(), pack.backgrounds.size());
  return pack;
}

std::filesystem::path AssetSources::defaultNpmDir() {
  if (const char* dir = std::getenv("SOUNDSPOT_NPM_DIR"); dir && *dir) return dir;
  return "/usr/local/share/soundspot/npm/node_modules";
}

}  // namespace soundspot::assets
