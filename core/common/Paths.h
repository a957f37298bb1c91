#pragma once
// Where the application finds its bundled resources (models, shaders, demo
// clip, ontology): $SOUNDSPOT_DATA_DIR, then the install prefix relative to
// the executable (../share/soundspot), then the source tree (developer build).
#include <filesystem>
#include <optional>
#include <string>

namespace soundspot {

// Folder holding resources/ content (models/, demo/, ontology.json, ...).
std::filesystem::path resourceDir();

// resourceDir() / relative, or throws soundspot::Error when it does not exist.
std::filesystem::path resourcePath(const std::string& relative);

// p made absolute and lexically normal, without a trailing separator, so that
// "clips/", "./clips" and "/abs/clips" name one folder when paths are compared.
std::filesystem::path absoluteNormal(const std::filesystem::path& p);

}  // namespace soundspot
