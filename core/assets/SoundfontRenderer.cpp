#include "core/assets/SoundfontRenderer.h"

#include "core/common/Error.h"

#include <fluidsynth.h>

#include <cmath>
#include <memory>

namespace soundspot::assets {

std::vector<float> renderPhrase(const SoundfontPhrase& phrase, int sampleRate) {
  const std::string font = phrase.font.string();
  if (!std::filesystem::exists(phrase.font)) throw Error(font, "SoundFont not found");
  if (phrase.notes.empty()) throw Error(font, "phrase has no notes");

  // FluidSynth logs "No preset found" for every channel of a font without
  // bank 0 program 0 (e.g. the GS effects font); we report our own errors.
  for (int level = FLUID_PANIC; level <= FLUID_DBG; ++level) fluid_set_log_function(level, nullptr, nullptr);
  std::unique_ptr<fluid_settings_t, void (*)(fluid_settings_t*)> settings(new_fluid_settings(), delete_fluid_settings);
  fluid_settings_setnum(settings.get(), "synth.sample-rate", sampleRate);
  fluid_settings_setint(settings.get(), "synth.chorus.active", 0);
  fluid_settings_setnum(settings.get(), "synth.gain", 0.5);
  std::unique_ptr<fluid_synth_t, void (*)(fluid_synth_t*)> synth(new_fluid_synth(settings.get()), delete_fluid_synth);
  if (!synth) throw Error(font, "cannot create the FluidSynth synthesiser");
  const int sfont = fluid_synth_sfload(synth.get(), font.c_str(), 0);
  if (sfont == FLUID_FAILED) throw Error(font, "not a readable SoundFont");

  const int channel = phrase.bank == 128 ? 9 : 0;
  if (fluid_synth_program_select(synth.get(), channel, sfont, phrase.bank, phrase.program) != FLUID_OK)
    throw Error(font, "no preset at bank " + std::to_string(phrase.bank) + ", program " + std::to_string(phrase.program));

  const size_t step = size_t(std::lround(phrase.noteSeconds * sampleRate));
  const size_t total = step * phrase.notes.size() + size_t(std::lround(phrase.tailSeconds * sampleRate));
  std::vector<float> left(total), right(total), mono(total);
  size_t at = 0;
  for (size_t i = 0; i < phrase.notes.size(); ++i) {
    // A little velocity variation, as a player would have; fixed so renders are reproducible.
    const int velocity = 96 + int(i % 3) * 12 - 12;
    fluid_synth_noteon(synth.get(), channel, phrase.notes[i], velocity);
    const size_t hold = step * 9 / 10;
    fluid_synth_write_float(synth.get(), int(hold), left.data() + at, 0, 1, right.data() + at, 0, 1);
    at += hold;
    fluid_synth_noteoff(synth.get(), channel, phrase.notes[i]);
    fluid_synth_write_float(synth.get(), int(step - hold), left.data() + at, 0, 1, right.data() + at, 0, 1);
    at += step - hold;
  }
  fluid_synth_write_float(synth.get(), int(total - at), left.data() + at, 0, 1, right.data() + at, 0, 1);
  for (size_t i = 0; i < total; ++i) mono[i] = 0.5f * (left[i] + right[i]);
  return mono;
}

}  // namespace soundspot::assets
