// Runs a fuzz target without libFuzzer: every file of the corpus folders
// given as arguments, then seeded random mutations of them. Registered as a
// test in regular builds, so inputs that once crashed a target stay fixed
// and each target meets some malformed input on every CI run.
//
// Usage: fuzz_<name> [--mutations N] [--seed S] CORPUS_DIR...
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "tests/fuzz/fuzz_target.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> read_corpus(const std::vector<std::string>& dirs) {
  std::vector<fs::path> files;
  for (const auto& dir : dirs)
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file())
        files.push_back(entry.path());
  std::sort(files.begin(), files.end()); // the same order on every run
  std::vector<std::string> inputs;
  for (const auto& file : files) {
    std::ifstream in{file, std::ios::binary};
    inputs.emplace_back(std::istreambuf_iterator<char>{in},
                        std::istreambuf_iterator<char>{});
  }
  return inputs;
}

// Bytes that steer parsers into their less travelled paths.
constexpr std::string_view tokens[] = {
    "{",        "}",       "[",
    "]",        "\"",      ",",
    ":",        "\\u",     "%",
    "%2F",      "%00",     "/",
    "?",        "&",       "=",
    "null",     "true",    "-1",
    "1e999",    "0.1",     ".",
    "{}",       "[]",      "\xff",
    "\xc3\xa9", "\r\n",    "eyJ",
    "NOT",      "AND",     "OR",
    "in",       "between", "-9223372036854775809"};

std::string mutate(std::string input, std::mt19937_64& rng) {
  auto pick = [&rng](std::size_t n) {
    return n == 0 ? std::size_t{0}
                  : std::uniform_int_distribution<std::size_t>{0, n - 1}(rng);
  };
  int steps = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < steps; ++i) {
    auto at = pick(input.size() + 1);
    switch (pick(5)) {
    case 0: // flip a byte
      if (!input.empty())
        input[pick(input.size())] ^= static_cast<char>(1u << pick(8));
      break;
    case 1: // insert a token
      input.insert(at, tokens[pick(std::size(tokens))]);
      break;
    case 2: // delete a slice
      input.erase(at, pick(8) + 1);
      break;
    case 3: // repeat a slice (deep nesting, long strings)
      if (at < input.size()) {
        auto slice = input.substr(at, pick(16) + 1);
        auto times = pick(64) + 1;
        for (std::size_t t = 0; t < times; ++t)
          input.insert(at, slice);
      }
      break;
    default: // random byte
      input.insert(at, 1, static_cast<char>(pick(256)));
      break;
    }
  }
  return input;
}

const std::string* current = nullptr; ///< the input being run

// Prints the input that crashed, in hex, so it can become a corpus file;
// only async-signal-safe calls.
extern "C" void print_current_input(int sig) {
  static const char digits[] = "0123456789abcdef";
  static const char intro[] = "\nfuzz input that crashed (hex):\n";
  if (current) {
    (void)!::write(2, intro, sizeof intro - 1);
    char pair[2];
    for (unsigned char c : *current) {
      pair[0] = digits[c >> 4];
      pair[1] = digits[c & 15];
      (void)!::write(2, pair, 2);
    }
    (void)!::write(2, "\n", 1);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void run(const std::string& input) {
  current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()),
                         input.size());
  current = nullptr;
}

} // namespace

int main(int argc, char** argv) {
  long mutations = 20'000;
  unsigned long long seed = 1;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc)
      mutations = std::atol(argv[++i]);
    else if (arg == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else
      dirs.push_back(arg);
  }
  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
    std::signal(sig, print_current_input);
  auto corpus = read_corpus(dirs);
  if (corpus.empty()) {
    std::fprintf(stderr, "no corpus files in the given folders\n");
    return 2;
  }
  for (const auto& input : corpus)
    run(input);
  std::mt19937_64 rng{seed};
  for (long i = 0; i < mutations; ++i) {
    const auto& base = corpus[std::uniform_int_distribution<std::size_t>{
        0, corpus.size() - 1}(rng)];
    auto input = mutate(base, rng);
    run(input);
  }
  std::printf("%zu corpus inputs and %ld mutations (seed %llu): no crash\n",
              corpus.size(), mutations, seed);
  return 0;
}
