document.getElementById("app").textContent = "static-vite, rendered";
