#include <CLI/CLI.hpp>
#include "common/version.hpp"
int main(int argc, char** argv) {
    CLI::App app{"mxc"};
    app.set_version_flag("--version", mxc::kVersion);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
