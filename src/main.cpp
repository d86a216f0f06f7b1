#include "iop/cli.hpp"

#include <iostream>

int main(int argc, char** argv) { return iop::run(argc, argv, std::cout, std::cerr); }
