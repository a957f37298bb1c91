# Finds every third-party library once; targets below link the imported targets.

find_package(Torch REQUIRED)
# LibTorch's own flags (ABI define) must reach every file that includes it.
set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")

find_package(PkgConfig REQUIRED)
pkg_check_modules(FFTW3F REQUIRED IMPORTED_TARGET fftw3f)

find_package(spdlog REQUIRED)

# Python's torch 2.x (the CUDA machine) ships its own fmt headers (fmt 12) in
# its include folder, which precedes /usr/include; the system spdlog is built
# against the system fmt and does not compile against torch's. A shim folder
# searched first (-I before -isystem) holds only a link to the system fmt.
find_path(SOUNDSPOT_SYSTEM_FMT_DIR fmt/core.h HINTS /usr/include /usr/local/include NO_DEFAULT_PATH)
if(SOUNDSPOT_SYSTEM_FMT_DIR)
  foreach(_torch_inc IN LISTS TORCH_INCLUDE_DIRS)
    if(EXISTS "${_torch_inc}/fmt/core.h" AND NOT _torch_inc STREQUAL SOUNDSPOT_SYSTEM_FMT_DIR)
      set(_fmt_shim ${CMAKE_BINARY_DIR}/fmt-shim)
      file(MAKE_DIRECTORY ${_fmt_shim})
      file(CREATE_LINK ${SOUNDSPOT_SYSTEM_FMT_DIR}/fmt ${_fmt_shim}/fmt SYMBOLIC)
      include_directories(BEFORE ${_fmt_shim})
      message(STATUS "fmt: the system copy (${SOUNDSPOT_SYSTEM_FMT_DIR}) before torch's own (${_torch_inc})")
      break()
    endif()
  endforeach()
endif()

# Header-only libraries: the system copy where there is one (Debian), else the
# vendored copy in third_party/ (the GPU machine has neither package).
find_package(nlohmann_json 3.10 QUIET)
if(NOT nlohmann_json_FOUND)
  add_library(nlohmann_json INTERFACE)
  target_include_directories(nlohmann_json SYSTEM INTERFACE ${PROJECT_SOURCE_DIR}/third_party/nlohmann_json/include)
  add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
  message(STATUS "nlohmann_json: vendored copy")
endif()
find_package(CLI11 QUIET CONFIG)
if(NOT CLI11_FOUND)
  add_library(CLI11 INTERFACE)
  target_include_directories(CLI11 SYSTEM INTERFACE ${PROJECT_SOURCE_DIR}/third_party/cli11/include)
  add_library(CLI11::CLI11 ALIAS CLI11)
  message(STATUS "CLI11: vendored copy")
endif()

pkg_check_modules(ZSTD IMPORTED_TARGET libzstd)

if(SOUNDSPOT_WITH_FFMPEG)
  pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET
    libavformat libavcodec libavutil libswscale libswresample)
endif()

if(SOUNDSPOT_WITH_QT)
  # QT_NO_KEYWORDS: Qt's `slots` macro breaks Torch headers.
  add_compile_definitions(QT_NO_KEYWORDS)
  find_package(Qt6 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Multimedia Svg Charts Test)
  # AUTOMOC is set per Qt target (ui, assets, tests), not globally.
endif()

# Precompiled torch/torch.h saves ~25 s per file that includes torch, but
# costs ~9 s per file that does not (the header is ~600 MB): one PCH, built
# once by soundspot_torch_pch_owner, is reused by every target, and only
# files that include torch/, ATen/ or c10/ headers use it.
if(SOUNDSPOT_TORCH_PCH)
  add_library(soundspot_torch_pch_owner STATIC ${PROJECT_SOURCE_DIR}/cmake/pch/TorchPch.cpp)
  target_link_libraries(soundspot_torch_pch_owner PUBLIC ${TORCH_LIBRARIES})
  target_precompile_headers(soundspot_torch_pch_owner PRIVATE <torch/torch.h>)
endif()

function(soundspot_torch_pch target)
  if(NOT SOUNDSPOT_TORCH_PCH)
    return()
  endif()
  target_precompile_headers(${target} REUSE_FROM soundspot_torch_pch_owner)
  get_target_property(srcs ${target} SOURCES)
  foreach(src ${srcs})
    if(src MATCHES "\\.cpp$" AND EXISTS ${src})
      file(STRINGS ${src} uses REGEX "#include [<\"](torch|ATen|c10)/")
      if(NOT uses)
        set_source_files_properties(${src} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
      endif()
    endif()
  endforeach()
endfunction()
