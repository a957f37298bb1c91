#version 330 core
// The localization overlay; the same rule as the CPU path
// (core/engine/Overlay.cpp): bilinear 14x14 map (GL_LINEAR on a 14x14
// texture), blended in time between the two nearest computed maps, coloured by
// the shared colormap table (core/engine/Colormap.cpp, uploaded as a 256x1
// texture), drawn with an opacity where the value reaches the threshold.
in vec2 uv;
out vec4 fragColor;

uniform sampler2D frameTexture;
uniform sampler2D mapBefore;   // map of the computed frame at or before this one
uniform sampler2D mapAfter;    // map of the next computed frame
uniform sampler2D colormap;    // 256 x 1 RGB
uniform float mapBlend;        // 0 = mapBefore only, 1 = mapAfter only
uniform float opacity;
uniform float threshold;
uniform int mode;              // 0 = overlay, 1 = map only, 2 = frame only
uniform int hasMap;

void main() {
  vec3 frame = texture(frameTexture, uv).rgb;
  if (mode == 2 || hasMap == 0) {
    fragColor = vec4(mode == 1 ? vec3(0.0) : frame, 1.0);
    return;
  }
  float p = mix(texture(mapBefore, uv).r, texture(mapAfter, uv).r, mapBlend);
  int index = int(clamp(p, 0.0, 1.0) * 255.0 + 0.5);
  vec3 colour = texelFetch(colormap, ivec2(index, 0), 0).rgb;
  if (mode == 1) {
    fragColor = vec4(p < threshold ? vec3(0.0) : colour, 1.0);
  } else {
    fragColor = vec4(p < threshold ? frame : mix(frame, colour, opacity), 1.0);
  }
}
