#pragma once
// dataset.json samples shared by the dataset suite (tests/core/data) and the
// fuzz seeds (tests/fuzz/make_seeds.cpp): one file that uses every field,
// and malformed files with the clip and the field their error must name.
// Header only and without Qt: the fuzz build has no Qt.
#include <string>

namespace soundspot::test {

inline const char* const kTinyDataset = R"({
  "format": "soundspot-dataset/1", "name": "tiny", "ontology": "audioset",
  "clips": [
    {"id": "a", "media": "clips/a.mp4", "split": "train", "labels": ["Violin, fiddle", "Dog"],
     "annotations": [{"time": 3.0,
        "sounding": [{"label": "Violin, fiddle", "box": [0.12, 0.30, 0.41, 0.77]}],
        "silent": [{"label": "Dog", "box": [0.60, 0.35, 0.88, 0.80]}]},
        {"time": 4.5, "sounding": []}]},
    {"id": "b", "media": "b.mp4", "split": "test", "subset": "test-unseen"},
    {"id": "d", "media": "d.mp4", "split": "test", "subset": "test-seen"},
    {"id": "c", "media": "sub/c.mkv"}
  ]})";

inline std::string datasetWithClips(const std::string& clips) {
  return R"({"format": "soundspot-dataset/1", "clips": [)" + clips + "]}";
}

struct MalformedDataset {
  std::string json;
  std::string clip;   // how the error names the clip ("" for file-level errors)
  std::string field;  // the field the error names
};

inline const MalformedDataset kMalformedDatasets[] = {
    {datasetWithClips(R"({"media": "x.mp4"})"), "#0", "id"},
    {datasetWithClips(R"({"id": "x"})"), "x", "media"},
    {datasetWithClips(R"({"id": "x", "media": 7})"), "x", "media"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "split": "training"})"), "x", "split"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "labels": "Dog"})"), "x", "labels"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"sounding": []}]})"), "x", "annotations[0].time"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"time": "3", "sounding": []}]})"), "x",
     "annotations[0].time"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"time": 3}]})"), "x", "annotations[0].sounding"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"time": 3,
       "sounding": [{"label": "Dog", "box": [0.5, 0.5, 0.4, 0.9]}]}]})"),
     "x", "annotations[0].sounding[0].box"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"time": 3,
       "sounding": [{"label": "Dog", "box": [0, 0, 1.5, 1]}]}]})"),
     "x", "annotations[0].sounding[0].box"},
    {datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"time": 3,
       "sounding": [], "silent": [{"label": "Dog", "box": [0, 0, 1]}]}]})"),
     "x", "annotations[0].silent[0].box"},
    {datasetWithClips(R"({"id": "x", "media": "a.mp4"}, {"id": "x", "media": "b.mp4"})"), "x", "id"},
    {R"({"format": "soundspot-dataset/2", "clips": []})", "", "format"},
    {R"({"format": "soundspot-dataset/1"})", "", "clips"},
    {R"({"format": "soundspot-dataset/1", "clips": [)", "", "JSON"},
};

}  // namespace soundspot::test
