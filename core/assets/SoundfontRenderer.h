#pragma once
// Renders a short phrase of one General MIDI / GS preset of a SoundFont with
// FluidSynth. The presets of different SoundFonts (FluidR3, MuseScore
// General, TimGM6mb) are built from different sample recordings, so each
// (font, preset) is an independent sound instance of its instrument class.
#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::assets {

struct SoundfontPhrase {
  std::filesystem::path font;
  int bank = 0;     // 128 = percussion kits (played on MIDI channel 10)
  int program = 0;  // 0-based GM program number
  std::vector<int> notes = {60, 64, 67, 72};  // MIDI keys, one after another
  double noteSeconds = 0.6;  // onset spacing
  double tailSeconds = 0.6;  // release after the last note
};

// Mono float samples at sampleRate. Throws Error naming the font when it
// cannot be loaded or has no such preset.
std::vector<float> renderPhrase(const SoundfontPhrase& phrase, int sampleRate);

}  // namespace soundspot::assets
