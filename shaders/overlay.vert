#version 330 core
// A quad covering the current viewport (the letterboxed picture rectangle).
// uv (0,0) is the top-left of the frame: frame and map rows are uploaded top row first.
layout(location = 0) in vec2 position;
out vec2 uv;
void main() {
  uv = vec2(position.x * 0.5 + 0.5, 0.5 - position.y * 0.5);
  gl_Position = vec4(position, 0.0, 1.0);
}
